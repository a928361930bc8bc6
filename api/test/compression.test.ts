import { gunzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { acceptsGzip } from '../src/http/compression.js';
import { SseReader, useTestApp } from './harness.js';

/** An answer of several KB: the descriptions of every mutation. */
const LARGE = '{ __type(name: "Mutation") { fields { name description } } }';

describe('response compression', () => {
  const app = useTestApp('pglite');
  const post = (query: string, headers: Record<string, string> = {}) =>
    app().client.request('/graphql', {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body: JSON.stringify({ query }),
    });

  it('gzips a large GraphQL answer for a client that accepts it, which decodes to the very same JSON', async () => {
    const plain = await post(LARGE);
    const zipped = await post(LARGE, { 'accept-encoding': 'gzip, deflate, br' });
    const text = await plain.text();
    expect(text.length).toBeGreaterThan(1024);
    expect(plain.headers.get('content-encoding')).toBeNull();
    expect(zipped.headers.get('content-encoding')).toBe('gzip');
    expect(zipped.headers.get('vary')).toMatch(/accept-encoding/i);
    const bytes = Buffer.from(await zipped.arrayBuffer());
    expect(bytes.length).toBeLessThan(text.length / 2);
    expect(gunzipSync(bytes).toString()).toBe(text);
  });

  it('sends small answers, and answers to clients that refuse gzip, as they are', async () => {
    const small = await post('{ __typename }', { 'accept-encoding': 'gzip' });
    expect(small.headers.get('content-encoding')).toBeNull();
    expect(small.headers.get('vary')).toMatch(/accept-encoding/i);
    expect(await small.json()).toEqual({ data: { __typename: 'Query' } });
    for (const refusing of ['identity', 'gzip;q=0', 'br']) {
      const res = await post(LARGE, { 'accept-encoding': refusing });
      expect(res.headers.get('content-encoding'), refusing).toBeNull();
      expect((await res.json()).data.__type.fields.length).toBeGreaterThan(10);
    }
  });

  it('never compresses a live event stream', async () => {
    const ana = await app().client.signUp('ana');
    const controller = new AbortController();
    const res = await app().client.request('/graphql', {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        accept: 'text/event-stream',
        'accept-encoding': 'gzip',
        authorization: `Bearer ${ana.accessToken}`,
      },
      body: JSON.stringify({ query: 'subscription { events { __typename ... on ConversationAddedEvent { conversation { title } } } }' }),
      signal: controller.signal,
    });
    expect(res.headers.get('content-type')).toMatch(/^text\/event-stream/);
    expect(res.headers.get('content-encoding') ?? 'none').toBe('none'); // yoga marks its streams: none
    const events = new SseReader(res, controller);
    await new Promise((resolve) => setTimeout(resolve, 50)); // let the server subscribe
    await app().client.gql(
      'mutation($i: CreateGroupConversationInput!) { createGroupConversation(input: $i) { id } }',
      { i: { title: 'Live', memberIds: [] } },
      { token: ana.accessToken },
    );
    let event = await events.next();
    while (event.event !== 'next' && event.event !== 'end') event = await events.next();
    expect(event.data).toMatchObject({ data: { events: { __typename: 'ConversationAddedEvent', conversation: { title: 'Live' } } } });
    events.close();
  });

  it('reads Accept-Encoding as HTTP defines it', () => {
    expect(acceptsGzip('gzip')).toBe(true);
    expect(acceptsGzip('deflate, GZIP;q=0.5')).toBe(true);
    expect(acceptsGzip('*')).toBe(true);
    expect(acceptsGzip('gzip;q=0, br')).toBe(false);
    expect(acceptsGzip('br, deflate')).toBe(false);
    expect(acceptsGzip(null)).toBe(false);
  });
});

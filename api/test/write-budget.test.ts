import { parse } from 'graphql';
import { describe, expect, it } from 'vitest';
import { writeWeight } from '../src/http/write-weight.js';
import { useTestApp } from './harness.js';

const weight = (query: string, variables: Record<string, unknown> = {}) => writeWeight(parse(query), undefined, variables);

describe('the weight of a write', () => {
  it('is one per mutation field, aliases and fragments included, one per pushed update, and nothing for queries', () => {
    expect(weight('{ viewer { id } }')).toBe(0);
    expect(weight('mutation { a: markRead(conversationId: "c", upTo: "m") { changed } __typename }')).toBe(1);
    expect(weight('mutation { a: updateProfile(displayName: "x") { id } b: updateProfile(displayName: "y") { id } }')).toBe(2);
    expect(
      weight(
        'mutation { ...F ... on Mutation { c: updateProfile(displayName: "z") { id } } } fragment F on Mutation { a: updateProfile(displayName: "x") { id } b: updateProfile(displayName: "y") { id } }',
      ),
    ).toBe(3);
    expect(
      weight('mutation($u: [SegmentUpdateInput!]!) { pushUpdates(updates: $u) { results { status } } }', { u: new Array(100).fill({}) }),
    ).toBe(100);
    expect(
      weight(
        'mutation { pushUpdates(updates: [{conversationId: "c", segment: 1, update: "AA"}, {conversationId: "c", segment: 1, update: "AA"}]) { results { status } } }',
      ),
    ).toBe(2);
    expect(
      weight(
        'mutation($u: [SegmentUpdateInput!]!) { p: pushUpdates(updates: $u) { results { status } } q: pushUpdates(updates: $u) { results { status } } }',
        { u: [{}, {}, {}] },
      ),
    ).toBe(6);
  });
});

describe('the write budget counts writes, not requests', () => {
  const app = useTestApp('pglite', { WRITES_PER_MINUTE: '10', MAX_ALIASES: '30' });

  const sends = (conversationId: string, n: number, from: number) =>
    `mutation { ${Array.from({ length: n }, (_, i) => `m${i}: sendMessage(input: { conversationId: "${conversationId}", text: "hello ${from + i}" }) { id }`).join(' ')} }`;

  const count = async (token: string, conversationId: string) =>
    (
      await app().client.ok(
        'query($id: ID!) { conversation(id: $id) { messages(last: 100) { edges { node { id } } } } }',
        { id: conversationId },
        token,
      )
    ).conversation.messages.edges.length as number;

  it('takes aliased sends up to the budget and refuses a request that does not fit, writing none of it', async () => {
    const { client } = app();
    const { ana, conversationId } = await client.directPair();
    expect((await client.gql(sends(conversationId, 6, 0), {}, { token: ana.accessToken })).errors).toBeUndefined();
    const over = await client.gql(sends(conversationId, 5, 6), {}, { token: ana.accessToken });
    expect(over.errors?.[0]?.extensions?.code).toBe('RATE_LIMITED');
    expect(await count(ana.accessToken, conversationId)).toBe(6);
  });

  it('charges a push one write per update; a refused request costs nothing', async () => {
    const { client } = app();
    const { bo, conversationId } = await client.directPair();
    const push = 'mutation($u: [SegmentUpdateInput!]!) { pushUpdates(updates: $u) { results { status } } }';
    const junk = (n: number) => Array.from({ length: n }, () => ({ conversationId, segment: 1, update: 'AAA=' }));
    const over = await client.gql(push, { u: junk(11) }, { token: bo.accessToken });
    expect(over.errors?.[0]?.extensions?.code).toBe('RATE_LIMITED');
    const fits = await client.gql(push, { u: junk(10) }, { token: bo.accessToken });
    expect(fits.errors, JSON.stringify(fits.errors)).toBeUndefined();
    const next = await client.gql(push, { u: junk(1) }, { token: bo.accessToken });
    expect(next.errors?.[0]?.extensions?.code).toBe('RATE_LIMITED');
  });
});

describe('refused requests have their own budget per address', () => {
  const app = useTestApp('pglite', { REFUSED_REQUESTS_PER_MINUTE: '5', TRUST_PROXY: 'true' });

  const from = (ip: string, init: RequestInit = {}) => ({ ...init, headers: { ...(init.headers as object), 'x-forwarded-for': ip } });
  const bad = (ip: string) =>
    app().client.request(
      '/graphql',
      from(ip, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"query":"{ nope }"}' }),
    );
  const good = (ip: string) =>
    app().client.request(
      '/graphql',
      from(ip, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"query":"{ __typename }"}' }),
    );

  it('answers an address that used it up with 429 before reading its requests, and leaves other addresses alone', async () => {
    const { client } = app();
    expect((await good('203.0.113.1')).status).toBe(200);
    await bad('203.0.113.1');
    await bad('203.0.113.1');
    await client.request('/graphql', from('203.0.113.1', { method: 'POST', body: new URLSearchParams({ query: '{a}' }) })); // 415
    await client.request('/sync/messages', from('203.0.113.1')); // 401
    await client.request(
      '/graphql',
      from('203.0.113.1', {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: 'Bearer forged' },
        body: '{"query":"{ __typename }"}',
      }),
    );
    const refused = await good('203.0.113.1');
    expect(refused.status).toBe(429);
    const body = await refused.json();
    expect(body.errors[0].extensions.code).toBe('RATE_LIMITED');
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    expect((await good('203.0.113.2')).status).toBe(200);
  });

  it('never counts what clients meet in normal use: answers, expired tokens, missing objects', async () => {
    const { client } = app();
    const ana = await client.signUp('normal');
    for (let i = 0; i < 10; i++) {
      const r = await client.request(
        '/graphql',
        from('203.0.113.9', {
          method: 'POST',
          headers: { 'content-type': 'application/json', authorization: `Bearer ${ana.accessToken}` },
          body: JSON.stringify({ query: '{ conversation(id: "cnv_0000000000000000000000000000000a") { id } }' }),
        }),
      );
      expect(r.status).toBe(200);
    }
  });
});

import { describe, expect, it } from 'vitest';
import { MAX_STREAMS_PER_DEVICE, MAX_STREAMS_PER_USER } from '../src/events/stream-caps.js';
import { listen } from './environment.js';
import { SseReader, useTestApp } from './harness.js';

const EVENTS = 'subscription { events { __typename } }';

/** The code a refused stream ends with, or 'open' when it is still running after a moment. */
async function outcome(reader: SseReader): Promise<string> {
  try {
    const first = await reader.next(300);
    return first.data?.errors?.[0]?.extensions?.code ?? `event ${first.event}`;
  } catch {
    return 'open';
  }
}

describe('event streams are capped per device and per account', () => {
  const app = useTestApp('pglite');

  it(`refuses the device's stream number ${MAX_STREAMS_PER_DEVICE + 1} with TOO_MANY_STREAMS, and takes one again once another closed`, async () => {
    const { client } = app();
    const server = await listen(app());
    const ana = await client.signUp('streams');
    /** A stream over a real socket, as a browser opens it. */
    const subscribe = async () => {
      const controller = new AbortController();
      const res = await fetch(`${server.url}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'text/event-stream', authorization: `Bearer ${ana.accessToken}` },
        body: JSON.stringify({ query: EVENTS }),
        signal: controller.signal,
      });
      return new SseReader(res, controller);
    };
    try {
      const open: SseReader[] = [];
      for (let i = 0; i < MAX_STREAMS_PER_DEVICE; i++) open.push(await subscribe());
      for (const reader of open) expect(await outcome(reader)).toBe('open');
      expect(await outcome(await subscribe())).toBe('TOO_MANY_STREAMS');
      open.shift()?.close(); // the socket closes: the server ends that stream
      let again = await subscribe();
      for (let tries = 0; tries < 20 && (await outcome(again)) !== 'open'; tries++) again = await subscribe();
      expect(await outcome(again)).toBe('open');
      for (const reader of [...open, again]) reader.close();
    } finally {
      await server.close();
    }
  });

  it(`refuses an account's stream number ${MAX_STREAMS_PER_USER + 1} over all its devices`, async () => {
    const { client } = app();
    const first = await client.signUp('many');
    const devices = [first];
    while (devices.length * MAX_STREAMS_PER_DEVICE <= MAX_STREAMS_PER_USER) devices.push(await client.signIn(first.handle, first.password));
    const open: SseReader[] = [];
    for (const device of devices.slice(0, -1)) {
      for (let i = 0; i < MAX_STREAMS_PER_DEVICE; i++) open.push(await client.subscribe(EVENTS, device.accessToken));
    }
    expect(open).toHaveLength(MAX_STREAMS_PER_USER);
    const last = devices.at(-1);
    const refused = await client.subscribe(EVENTS, last?.accessToken ?? '');
    expect(await outcome(refused)).toBe('TOO_MANY_STREAMS');
    const other = await client.signUp('other');
    expect(await outcome(await client.subscribe(EVENTS, other.accessToken))).toBe('open');
    for (const reader of open) reader.close();
  });
});

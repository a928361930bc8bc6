import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listen } from '../environment.js';
import { startTestApp, type TestApp } from '../harness.js';
import { HOSTILE_LIMITS } from './hostile.js';

const LIMIT = Number(HOSTILE_LIMITS.MAX_BODY_BYTES);
const EXPECTED = '413 REQUEST_TOO_LARGE / 200 {"__typename":"Query"}';

/** A chunked JSON body of about `bytes` bytes, sent in 16 KB pieces (no Content-Length). */
function chunkedBody(bytes: number): ReadableStream<Uint8Array> {
  const all = new TextEncoder().encode(JSON.stringify({ query: '{ __typename }', variables: { padding: 'x'.repeat(bytes) } }));
  return new ReadableStream({
    start(controller) {
      for (let at = 0; at < all.length; at += 16 * 1024) controller.enqueue(all.slice(at, at + 16 * 1024));
      controller.close();
    },
  });
}

/**
 * Oversized chunked bodies over real keep-alive HTTP connections: the client, still sending
 * when the server has seen enough, must receive the 413 (not a reset or EPIPE), and the
 * connection it used must carry its next request. Found by the hostile-input fault test (a
 * request following a refused chunked body on the same connection was reset).
 */
describe('chunked bodies over the limit, on keep-alive connections', () => {
  let app: TestApp | undefined;
  let stop: (() => Promise<void>) | undefined;
  let base = '';

  beforeAll(async () => {
    app = await startTestApp('postgres', HOSTILE_LIMITS);
    ({ url: base, close: stop } = await listen(app));
  });

  afterAll(async () => {
    await stop?.();
    await app?.close();
  });

  it('answers each with 413 REQUEST_TOO_LARGE, and the next request on the connection is served', async () => {
    const outcomes: string[] = [];
    const client = async () => {
      for (let i = 0; i < 20; i++) {
        const refused = await fetch(`${base}/graphql`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', accept: 'application/graphql-response+json' },
          body: chunkedBody(3 * LIMIT),
          duplex: 'half',
          signal: AbortSignal.timeout(3000),
        } as RequestInit)
          .then(async (r) => `${r.status} ${(await r.json()).errors?.[0]?.extensions?.code}`)
          .catch((e: Error & { cause?: Error }) => `threw ${e.cause?.message ?? e.message}`);
        const next = await fetch(`${base}/graphql`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ query: '{ __typename }' }),
          signal: AbortSignal.timeout(3000),
        })
          .then(async (r) => `${r.status} ${JSON.stringify((await r.json()).data)}`)
          .catch((e: Error & { cause?: Error }) => `threw ${e.cause?.message ?? e.message}`);
        outcomes.push(`${refused} / ${next}`);
        if (`${refused} / ${next}` !== EXPECTED) return; // one problem is enough to tell
      }
    };
    await Promise.all([client(), client(), client()]);
    expect(outcomes.filter((o) => o !== EXPECTED)).toEqual([]);
  });
});

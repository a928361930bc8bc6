import { promisify } from 'node:util';
import { gzip } from 'node:zlib';
import type { Plugin } from 'graphql-yoga';

const gzipAsync = promisify(gzip);

/** Answers smaller than this go as they are: gzip would save little and cost a stream. */
const MIN_BYTES = 1024;

/** Text worth compressing; images, fonts and streams are left as they are. */
const COMPRESSIBLE =
  /^(application\/(json|graphql-response\+json|javascript|manifest\+json)|text\/(html|css|javascript|plain)|image\/svg\+xml)\b/;

/**
 * Gzips answers for clients that accept it (`Accept-Encoding: gzip`): GraphQL results,
 * GET /sync/messages and the PWA's text files. Never compressed: event streams (SSE,
 * multipart), which must reach the client event by event; answers under MIN_BYTES; answers
 * already encoded. Every compressible answer says `Vary: Accept-Encoding`, so caches keep the
 * two forms apart. @whatwg-node/server's useContentEncoding is not used: it compresses every
 * answer, streams included, and has no size floor.
 *
 * The answers it compresses are complete in memory already (a serialized result, a file), so
 * it reads the body whole and gzips it on libuv's thread pool (node:zlib), not on the event
 * loop. Reading it whole also works whichever ReadableStream made the body: the native one
 * (static files) and whatwg-node's ponyfill (yoga's results) do not pipe into each other.
 *
 * Register it last, so it sees the final headers (cookies included).
 */
export function compression(): Plugin {
  return {
    async onResponse({ request, response, setResponse, fetchAPI }) {
      const type = response.headers.get('content-type') ?? '';
      if (!COMPRESSIBLE.test(type) || response.headers.has('content-encoding')) return;
      response.headers.append('vary', 'Accept-Encoding');
      if (!response.body || !acceptsGzip(request.headers.get('accept-encoding'))) return;
      // Most answers (every push's) say their length: small ones go untouched, never re-buffered.
      if (Number(response.headers.get('content-length') ?? Number.NaN) < MIN_BYTES) return;
      const body = new Uint8Array(await response.arrayBuffer());
      const headers = new fetchAPI.Headers(response.headers);
      const small = body.byteLength < MIN_BYTES;
      if (!small) {
        headers.set('content-encoding', 'gzip');
        headers.delete('content-length');
      }
      const sent = small ? body : await gzipAsync(body);
      setResponse(new fetchAPI.Response(sent, { status: response.status, statusText: response.statusText, headers }));
    },
  };
}

/** Whether an Accept-Encoding header admits gzip (`gzip` or `*`, with a q-value above 0). */
export function acceptsGzip(header: string | null): boolean {
  for (const part of (header ?? '').split(',')) {
    const [coding = '', ...params] = part.split(';').map((p) => p.trim().toLowerCase());
    if (coding !== 'gzip' && coding !== '*') continue;
    const q = params.find((p) => p.startsWith('q='));
    if (q === undefined || Number(q.slice(2)) > 0) return true;
  }
  return false;
}

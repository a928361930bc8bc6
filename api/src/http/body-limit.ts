import { ErrorCode } from '@mailboat/schema';
import type { Plugin } from 'graphql-yoga';
import { jsonError } from './json-error.js';

const tooLarge = (max: number, headers: Record<string, string> = {}) =>
  jsonError(ErrorCode.REQUEST_TOO_LARGE, `The request body is over the limit of ${max} bytes`, headers);

/** A refused chunked body is read on (and discarded) up to this many times the limit. */
const DRAIN_FACTOR = 4;

/** Reads and discards the rest of a body; false when more than `budget` bytes remain (then it stops reading). */
async function drain(reader: ReadableStreamDefaultReader<Uint8Array>, budget: number): Promise<boolean> {
  for (let left = budget; ; ) {
    const { done, value } = await reader.read();
    if (done) return true;
    left -= value.byteLength;
    if (left < 0) return false;
  }
}

/**
 * Refuses request bodies over `maxBytes` with 413 REQUEST_TOO_LARGE before anything parses
 * them: at once when Content-Length says so, and while reading when the body is chunked (the
 * request is then rebuilt from the bytes read, keeping its abort signal). A chunked body found
 * too large is read to its end and discarded before the answer (up to DRAIN_FACTOR times the
 * limit), so a client still sending receives the 413 instead of a reset connection, and the
 * connection stays usable for its next request. A body longer than that is cut off: the
 * answer then carries `Connection: close`, since the rest of it is left unread on the connection.
 */
export function bodyLimit(maxBytes: number): Plugin {
  return {
    async onRequest({ request, setRequest, endResponse }) {
      if (request.method === 'GET' || request.method === 'HEAD' || !request.body) return;
      const declared = request.headers.get('content-length');
      if (declared !== null) {
        if (Number(declared) > maxBytes) endResponse(tooLarge(maxBytes));
        return;
      }
      const reader = request.body.getReader();
      const chunks: Uint8Array[] = [];
      let size = 0;
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        size += value.byteLength;
        if (size > maxBytes) {
          if (await drain(reader, maxBytes * DRAIN_FACTOR - size)) {
            endResponse(tooLarge(maxBytes));
          } else {
            await reader.cancel();
            endResponse(tooLarge(maxBytes, { connection: 'close' }));
          }
          return;
        }
        chunks.push(value);
      }
      const body = Buffer.concat(chunks);
      setRequest(new Request(request.url, { method: request.method, headers: request.headers, body, signal: request.signal }));
    },
  };
}

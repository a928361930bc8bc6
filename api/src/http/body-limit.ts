import { ErrorCode } from '@mailboat/schema';
import type { Plugin } from 'graphql-yoga';
import { jsonError } from './json-error.js';

const tooLarge = (max: number) => jsonError(413, ErrorCode.REQUEST_TOO_LARGE, `The request body is over the limit of ${max} bytes`);

/**
 * Refuses request bodies over `maxBytes` with 413 REQUEST_TOO_LARGE before anything parses
 * them: at once when Content-Length says so, and while reading when the body is chunked (the
 * request is then rebuilt from the bytes read, keeping its abort signal).
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
          await reader.cancel();
          endResponse(tooLarge(maxBytes));
          return;
        }
        chunks.push(value);
      }
      const body = Buffer.concat(chunks);
      setRequest(new Request(request.url, { method: request.method, headers: request.headers, body, signal: request.signal }));
    },
  };
}

import { ErrorCode } from '@mailboat/schema';
import type { Plugin } from 'graphql-yoga';
import { jsonError } from './json-error.js';

/** The media type a GraphQL POST must have: no form sends it, and another site needs a CORS preflight to. */
const JSON_TYPE = 'application/json';

/**
 * Refuses every POST to the GraphQL endpoint whose body is not JSON, with 415
 * UNSUPPORTED_MEDIA_TYPE, before anything parses it. A page on another site can make a
 * browser send a form (urlencoded or multipart) or text/plain POST without asking, and the
 * answer's Set-Cookie would land (login CSRF: `signIn` from a foreign form signed the app
 * into another account); a JSON POST from another site needs a CORS preflight, which only
 * the allowed origins pass. One way to send GraphQL: JSON, as every GraphQL client does.
 */
export function jsonOnlyGraphql(endpoint: string): Plugin {
  return {
    onRequest({ request, url, endResponse }) {
      if (request.method !== 'POST' || url.pathname !== endpoint) return;
      const type = (request.headers.get('content-type') ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
      if (type === JSON_TYPE) return;
      endResponse(
        jsonError(ErrorCode.UNSUPPORTED_MEDIA_TYPE, 'Send GraphQL requests as JSON (Content-Type: application/json)', {
          accept: 'application/json',
        }),
      );
    },
  };
}

import type { Plugin } from 'graphql-yoga';

/**
 * Headers every answer carries, whatever produced it (GraphQL, REST, refresh, static files,
 * errors): `X-Content-Type-Options: nosniff`, so a browser never runs an answer as something
 * other than its declared type, and, when `hstsMaxAgeSeconds` > 0 (the server is reached over
 * HTTPS), `Strict-Transport-Security`, so browsers never come back over plain HTTP.
 */
export function securityHeaders(hstsMaxAgeSeconds: number): Plugin {
  const hsts = hstsMaxAgeSeconds > 0 ? `max-age=${hstsMaxAgeSeconds}; includeSubDomains` : undefined;
  return {
    onResponse({ response }) {
      response.headers.set('x-content-type-options', 'nosniff');
      if (hsts) response.headers.set('strict-transport-security', hsts);
    },
  };
}

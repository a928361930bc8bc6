import type { CORSOptions } from 'graphql-yoga';

/**
 * CORS for yoga: only the origins listed in CORS_ORIGINS get Access-Control-Allow-* headers
 * (with credentials, so a frontend team's app on its own origin can call the API and refresh).
 * Every other origin, `null` included, gets none: browsers then refuse to let that page read
 * an answer or send a preflighted (JSON) request. The app itself is served by the API, on the
 * same origin, and needs no CORS at all.
 */
export function corsFor(allowed: readonly string[]): (request: Request) => CORSOptions {
  const origins = new Set(allowed);
  return (request) => {
    const origin = request.headers.get('origin');
    if (origin === null || !origins.has(origin)) return false;
    return {
      origin,
      credentials: true,
      methods: ['GET', 'POST'],
      allowedHeaders: ['authorization', 'content-type', 'accept'],
      maxAge: 600,
    };
  };
}

import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { Plugin } from 'graphql-yoga';

/** Where GraphiQL's files are served from: this server, never a CDN. */
export const GRAPHIQL_ASSETS = '/graphiql/';

/** The files of @graphql-yoga/graphiql (a pinned npm package) that the page loads, by the path they are served under. */
const FILES: Record<string, { file: string; type: string }> = {
  'graphiql.css': { file: 'graphiql.css', type: 'text/css; charset=utf-8' },
  'yoga-graphiql.umd.js': { file: 'yoga-graphiql.umd.js', type: 'text/javascript; charset=utf-8' },
  'editor.worker.js': { file: 'monacoeditorwork/editor.worker.bundle.js', type: 'text/javascript; charset=utf-8' },
  'json.worker.js': { file: 'monacoeditorwork/json.worker.bundle.js', type: 'text/javascript; charset=utf-8' },
  'graphql.worker.js': { file: 'monacoeditorwork/graphql.worker..bundle.js', type: 'text/javascript; charset=utf-8' },
};

/** Starts GraphiQL: a file of its own, so the page needs no inline script. Its options come from a JSON block in the page. */
const START = `self.MonacoEnvironment = {
  globalAPI: false,
  getWorkerUrl: (_, label) => '${GRAPHIQL_ASSETS}' + (label === 'json' ? 'json' : label === 'graphql' ? 'graphql' : 'editor') + '.worker.js',
};
const options = JSON.parse(document.getElementById('graphiql-options').textContent);
YogaGraphiQL.renderYogaGraphiQL(document.getElementById('root'), options);
`;

/**
 * The GraphiQL page's Content-Security-Policy: like the app's, everything from this origin
 * only (scripts, styles, workers, requests), no framing, no plugins, no <base>.
 */
export const GRAPHIQL_CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  "font-src 'self' data:",
  "connect-src 'self'",
  "worker-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

const page = (endpoint: string) => `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>Mailboat GraphQL</title>
<link rel="stylesheet" href="${GRAPHIQL_ASSETS}graphiql.css">
</head>
<body>
<div id="root">Loading GraphiQL…</div>
<script type="application/json" id="graphiql-options">${JSON.stringify({ endpoint, title: 'Mailboat GraphQL', subscriptionsProtocol: 'SSE' })}</script>
<script src="${GRAPHIQL_ASSETS}yoga-graphiql.umd.js"></script>
<script src="${GRAPHIQL_ASSETS}start.js"></script>
</body>
</html>
`;

const headers = (type: string, extra: Record<string, string> = {}) => ({ 'content-type': type, 'cache-control': 'no-cache', ...extra });

/**
 * GraphiQL at `endpoint` for a browser (GET with Accept: text/html), served entirely from this
 * server: the page, its start script and the files of the pinned @graphql-yoga/graphiql
 * package under GRAPHIQL_ASSETS, with GRAPHIQL_CSP. Yoga's own GraphiQL loads its scripts
 * from a CDN with no integrity check; this one loads nothing from anywhere else.
 */
export function graphiqlPage(endpoint: string): Plugin {
  const dist = join(dirname(createRequire(import.meta.url).resolve('@graphql-yoga/graphiql/package.json')), 'dist');
  const cache = new Map<string, Uint8Array<ArrayBuffer>>();
  const asset = async (name: string) => {
    const known = FILES[name];
    if (!known) return undefined;
    let bytes = cache.get(name);
    if (!bytes) {
      bytes = new Uint8Array(await readFile(join(dist, known.file)));
      cache.set(name, bytes);
    }
    return { bytes, type: known.type };
  };
  return {
    async onRequest({ request, url, endResponse }) {
      if (request.method !== 'GET' && request.method !== 'HEAD') return;
      if (url.pathname === endpoint && (request.headers.get('accept') ?? '').includes('text/html') && !url.searchParams.has('query')) {
        endResponse(
          new Response(page(endpoint), { headers: headers('text/html; charset=utf-8', { 'content-security-policy': GRAPHIQL_CSP }) }),
        );
        return;
      }
      if (!url.pathname.startsWith(GRAPHIQL_ASSETS)) return;
      const name = url.pathname.slice(GRAPHIQL_ASSETS.length);
      if (name === 'start.js') {
        endResponse(new Response(START, { headers: headers('text/javascript; charset=utf-8') }));
        return;
      }
      const found = await asset(name);
      endResponse(found ? new Response(found.bytes, { headers: headers(found.type) }) : new Response(null, { status: 404 }));
    },
  };
}

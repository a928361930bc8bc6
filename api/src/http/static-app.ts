import { readFile, stat } from 'node:fs/promises';
import { extname, resolve, sep } from 'node:path';
import type { Plugin } from 'graphql-yoga';
import { internalError } from './json-error.js';

const API_PATHS = ['/graphql', '/auth/', '/sync/', '/health', '/ready'];

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.webmanifest': 'application/manifest+json',
  '.map': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.txt': 'text/plain; charset=utf-8',
};

/**
 * The page's Content-Security-Policy: scripts, styles, workers and connections from this
 * origin only (and `uploadOrigin`, the object store browsers PUT attachment parts to, when
 * it has an origin of its own), no plugins, no framing (clickjacking), no <base> or form
 * posts elsewhere. A message text that ever slipped into the DOM as markup could run no
 * script and reach no other host. Inline styles stay allowed (React sets style attributes;
 * they run no code).
 */
export const contentSecurityPolicy = (uploadOrigin?: string) =>
  [
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data: blob:",
    uploadOrigin ? `connect-src 'self' ${uploadOrigin}` : "connect-src 'self'",
    "worker-src 'self'",
    "manifest-src 'self'",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
  ].join('; ');

/**
 * Serves the built PWA (web/dist) on the API's port: its files as they are (content-hashed
 * /assets/ cached for a year, everything else revalidated), and index.html for any other
 * page a browser navigates to, so client-side routes survive a reload; pages carry
 * contentSecurityPolicy. API paths are never touched, nor is anything outside `root`.
 * Does nothing when `root` has not been built.
 */
export function staticApp(root: string, uploadOrigin?: string): Plugin {
  const base = resolve(root);
  const policy = contentSecurityPolicy(uploadOrigin);
  // A file that cannot be read (permissions, I/O) is not the client's business: it is logged and answered as a 500.
  const file = async (path: string) => {
    const info = await stat(path).catch(() => undefined);
    return info?.isFile() ? readFile(path).catch((e: unknown) => ({ failed: e })) : undefined;
  };
  return {
    async onRequest({ request, url, endResponse }) {
      if (request.method !== 'GET' && request.method !== 'HEAD') return;
      if (API_PATHS.some((p) => url.pathname === p.replace(/\/$/, '') || url.pathname.startsWith(p))) return;
      let path: string;
      try {
        path = resolve(base, `.${decodeURIComponent(url.pathname)}`);
      } catch {
        return; // malformed percent-encoding: let it 404
      }
      if (path !== base && !path.startsWith(base + sep)) return;
      const asset = path === base ? undefined : await file(path);
      const navigation = !asset && (request.headers.get('accept') ?? '').includes('text/html');
      const body = asset ?? (navigation ? await file(resolve(base, 'index.html')) : undefined);
      if (!body) return;
      if ('failed' in body) {
        endResponse(internalError(request, body.failed));
        return;
      }
      const type = asset ? (TYPES[extname(path)] ?? 'application/octet-stream') : TYPES['.html'];
      const immutable = asset !== undefined && url.pathname.startsWith('/assets/');
      const headers: Record<string, string> = {
        'content-type': type ?? 'application/octet-stream',
        'cache-control': immutable ? 'public, max-age=31536000, immutable' : 'no-cache',
        'x-content-type-options': 'nosniff',
        'referrer-policy': 'same-origin',
      };
      if (type === TYPES['.html']) headers['content-security-policy'] = policy;
      endResponse(new Response(request.method === 'HEAD' ? null : new Uint8Array(body), { status: 200, headers }));
    },
  };
}

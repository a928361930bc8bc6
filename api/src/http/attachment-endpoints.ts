import { Readable } from 'node:stream';
import type { Plugin } from 'graphql-yoga';
import {
  type AskedRange,
  type AttachmentVariant,
  type Download,
  openDownload,
  RangeNotSatisfiable,
} from '../attachments/attachment-reads.js';
import { writePartThroughApi } from '../attachments/part-uploads.js';
import { authenticate } from '../auth/authenticate.js';
import type { AppDeps } from '../context.js';
import { AppError, httpStatusOf, unauthenticated } from '../errors.js';
import { appErrorResponse, internalError } from './json-error.js';

const DOWNLOAD = /^\/attachments\/([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})(\/thumbnail)?$/;
const PART = /^\/attachments\/uploads\/([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})\/([1-9][0-9]{0,4})$/;

/**
 * The attachment doors outside GraphQL:
 * - `GET|HEAD /attachments/<uuid>[/thumbnail][?download=1]` with `Authorization: Bearer`:
 *   the bytes, for members of the attachment's conversation only (404 for everyone else, the
 *   same as for nothing); one `Range: bytes=` range answers 206 (416 outside the file), for
 *   seeking and resumed downloads. Only raster images are ever `inline`; everything else (HTML and SVG
 *   included) is `Content-Disposition: attachment`, and every answer carries a sandboxing
 *   CSP and nosniff, so no file can run as a page of this origin.
 * - `PUT /attachments/uploads/<uuid>/<part>?bytes=&expires=&sig=`: one part of an upload
 *   through the API (the filesystem store), authorized by its signed address alone.
 * Errors use the GraphQL errors shape. Runs before the body limit: a part is up to 8 MiB.
 */
export function attachmentEndpoints(deps: AppDeps): Plugin {
  return {
    async onRequest({ request, url, endResponse }) {
      const part = PART.exec(url.pathname);
      const download = part ? null : DOWNLOAD.exec(url.pathname);
      if (!part && !download) return;
      try {
        if (part) {
          if (request.method !== 'PUT') return endResponse(new Response(null, { status: 405, headers: { allow: 'PUT' } }));
          const body = request.body ?? (async function* () {})();
          await writePartThroughApi(deps, part[1] as string, Number(part[2]), url.searchParams, body as AsyncIterable<Uint8Array>);
          return endResponse(new Response(null, { status: 204, headers: { etag: `"${part[1]}-${part[2]}"` } }));
        }
        if (request.method !== 'GET' && request.method !== 'HEAD') {
          return endResponse(new Response(null, { status: 405, headers: { allow: 'GET, HEAD' } }));
        }
        const viewer = await authenticate(deps, request.headers.get('authorization'));
        if (!viewer) throw unauthenticated('Send "Authorization: Bearer <access token>"');
        const match = download as RegExpExecArray;
        const variant: AttachmentVariant = match[2] ? 'thumbnail' : 'original';
        const file = await openDownload(deps, viewer, match[1] as string, variant, askedRange(request.headers.get('range')));
        endResponse(fileResponse(request, file, variant, url.searchParams.get('download') === '1'));
      } catch (e) {
        if (e instanceof RangeNotSatisfiable) {
          return endResponse(
            new Response(null, { status: 416, headers: { 'content-range': `bytes */${e.size}`, 'accept-ranges': 'bytes' } }),
          );
        }
        if (!(e instanceof AppError)) return endResponse(internalError(request, e));
        const status = e.code === 'NOT_FOUND' ? 404 : httpStatusOf(e.code);
        const headers: Record<string, string> = { 'cache-control': 'no-store' };
        if (status === 401) headers['www-authenticate'] = 'Bearer';
        const answer = appErrorResponse(e, headers);
        endResponse(new Response(answer.body, { status, headers: answer.headers }));
      }
    },
  };
}

function fileResponse(request: Request, file: Download, variant: AttachmentVariant, save: boolean): Response {
  const etag = `"${file.row.id}-${variant}"`;
  const headers: Record<string, string> = {
    'content-type': file.contentType,
    'content-length': String(file.range ? file.range.end - file.range.start + 1 : file.size),
    'accept-ranges': 'bytes',
    'content-disposition': `${file.inline && !save ? 'inline' : 'attachment'}; ${dispositionName(file.row.name, variant)}`,
    'content-security-policy': "sandbox; default-src 'none'; img-src 'self'; style-src 'unsafe-inline'",
    'x-content-type-options': 'nosniff',
    'cross-origin-resource-policy': 'same-origin',
    // Private: the answer depends on who asks. Revalidated each time, so a removed member's
    // browser cannot keep reading it from its HTTP cache; the bytes never change (etag).
    'cache-control': 'private, no-cache',
    etag,
  };
  if (request.headers.get('if-none-match') === etag || request.method === 'HEAD') {
    const status = request.method === 'HEAD' ? 200 : 304;
    void drainQuietly(file.body);
    return new Response(null, { status, headers });
  }
  if (file.range) headers['content-range'] = `bytes ${file.range.start}-${file.range.end}/${file.size}`;
  return new Response(Readable.toWeb(Readable.from(file.body)) as ReadableStream, { status: file.range ? 206 : 200, headers });
}

/** One `bytes=` range of a Range header (several ranges, or another unit, are answered whole, as RFC 9110 allows). */
function askedRange(header: string | null): AskedRange | null {
  const match = header ? /^bytes=(\d{0,15})-(\d{0,15})$/.exec(header.trim()) : null;
  if (!match || (match[1] === '' && match[2] === '')) return null;
  return { start: match[1] === '' ? null : Number(match[1]), end: match[2] === '' ? null : Number(match[2]) };
}

/** `filename` (ASCII, for old clients) and `filename*` (RFC 8187 UTF-8). */
function dispositionName(name: string, variant: AttachmentVariant): string {
  const base = variant === 'thumbnail' ? `${name}.thumbnail.webp` : name;
  const ascii = base.replace(/[^\x20-\x7e]|["\\%]/g, '_');
  return `filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(base)}`;
}

/** Ends a stream opened for nothing (a HEAD or a 304), so the store's connection or file handle is released. */
async function drainQuietly(body: AsyncIterable<Uint8Array>): Promise<void> {
  const iterator = body[Symbol.asyncIterator]();
  await iterator.return?.().catch(() => {});
}

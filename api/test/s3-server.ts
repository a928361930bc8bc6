import { createHash, createHmac } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { readdir, readFile, rm, stat } from 'node:fs/promises';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * A real S3 HTTP server for tests: s3rver on 127.0.0.1, a free port, in a temp folder, with
 * one bucket whose CORS rule allows GET/PUT/HEAD from any origin and exposes ETag.
 *
 * s3rver 3.7.1 lacks what our S3Store relies on, so a thin front (this file) adds it, the
 * way AWS S3 behaves: it VERIFIES SigV4 signatures (s3rver accepts any well-formed one; here a
 * presigned URL whose signed Content-Length differs from the body is refused with 403
 * SignatureDoesNotMatch), answers ListParts (paged by `partsPerPage`) and
 * AbortMultipartUpload (s3rver answers 405), refuses parts and completions for unknown uploads
 * (NoSuchUpload) and checks CompleteMultipartUpload (part order, ETags, 5 MiB minimum for all
 * but the last part). Everything else is s3rver's. Payload hashes are not checked.
 */
export type S3Server = {
  endpoint: string;
  region: string;
  bucket: string;
  accessKeyId: string;
  secretAccessKey: string;
  forcePathStyle: true;
  /** Stops the server and removes its folder. */
  close(): Promise<void>;
};

type S3rverInstance = {
  configureBuckets(): Promise<void>;
  callback(): (req: IncomingMessage, res: ServerResponse) => void;
  store: {
    getResourcePath(bucket: string, key: string | undefined, resource: string): string;
    putObjectMultipart(bucket: string, uploadId: string, parts: { number: number; etag: string }[]): Promise<{ md5: string; size: number }>;
  };
};
type S3rverClass = new (options: Record<string, unknown>) => S3rverInstance;

const ACCESS_KEY_ID = 'S3RVER'; // s3rver's fixed credentials
const SECRET_ACCESS_KEY = 'S3RVER';
const REGION = 'us-east-1';
const MIN_PART_BYTES = 5 * 1024 * 1024;

const CORS = `<CORSConfiguration>
  <CORSRule>
    <AllowedOrigin>*</AllowedOrigin>
    <AllowedMethod>GET</AllowedMethod>
    <AllowedMethod>PUT</AllowedMethod>
    <AllowedMethod>HEAD</AllowedMethod>
    <AllowedHeader>*</AllowedHeader>
    <ExposeHeader>ETag</ExposeHeader>
    <MaxAgeSeconds>3000</MaxAgeSeconds>
  </CORSRule>
</CORSConfiguration>`;

/** Starts the server; `partsPerPage` caps ListParts pages (S3: 1000) so paging can be tested. */
export async function startS3Server(options: { bucket?: string; partsPerPage?: number } = {}): Promise<S3Server> {
  const bucket = options.bucket ?? 'mailboat-test';
  const dir = mkdtempSync(join(tmpdir(), 'mailboat-s3-'));
  const S3rver = createRequire(import.meta.url)('s3rver') as S3rverClass;
  const s3rver = new S3rver({ directory: dir, silent: true, configureBuckets: [{ name: bucket, configs: [CORS] }] });
  await s3rver.configureBuckets();
  const front = new Front(s3rver, s3rver.callback(), options.partsPerPage ?? 1000);
  const server = createServer((req, res) => {
    front.handle(req, res).catch((error: unknown) => {
      if (!res.headersSent) answerError(req, res, 500, 'InternalError', String(error));
      else res.destroy();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    region: REGION,
    bucket,
    accessKeyId: ACCESS_KEY_ID,
    secretAccessKey: SECRET_ACCESS_KEY,
    forcePathStyle: true,
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await rm(dir, { recursive: true, force: true });
    },
  };
}

class Front {
  constructor(
    private readonly s3rver: S3rverInstance,
    private readonly pass: (req: IncomingMessage, res: ServerResponse) => void,
    private readonly partsPerPage: number,
  ) {}

  async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://s3');
    const rawPath = (req.url ?? '/').split('?')[0] ?? '/';
    const query = parseQuery((req.url ?? '').split('?')[1] ?? '');
    if (req.method !== 'OPTIONS' && !verifySignature(req, rawPath, query)) {
      return answerError(
        req,
        res,
        403,
        'SignatureDoesNotMatch',
        'The request signature we calculated does not match the signature you provided.',
      );
    }
    const [, bucket, ...keyParts] = url.pathname.split('/').map(decodeURIComponent);
    const key = keyParts.join('/');
    const uploadId = url.searchParams.get('uploadId');
    if (!bucket || !key || uploadId === null) return this.pass(req, res);

    const folder = await this.uploadFolder(bucket, key, uploadId);
    if (!folder) return answerError(req, res, 404, 'NoSuchUpload', 'The specified upload does not exist.');
    switch (req.method) {
      case 'GET':
        return this.listParts(res, { bucket, key, uploadId, folder }, url.searchParams);
      case 'DELETE':
        await rm(folder, { recursive: true, force: true });
        res.writeHead(204).end();
        return;
      case 'POST':
        return this.complete(req, res, { bucket, key, uploadId, folder });
      case 'PUT': {
        const part = Number(url.searchParams.get('partNumber'));
        if (!Number.isInteger(part) || part < 1 || part > 10_000) {
          return answerError(req, res, 400, 'InvalidArgument', 'Part number must be an integer between 1 and 10000, inclusive');
        }
        return this.pass(req, res);
      }
      default:
        return this.pass(req, res);
    }
  }

  /** The upload's folder in s3rver's store, when the upload exists and was started for `key`. */
  private async uploadFolder(bucket: string, key: string, uploadId: string): Promise<string | null> {
    if (!/^[0-9a-f]{32}$/.test(uploadId)) return null;
    const folder = join(this.s3rver.store.getResourcePath(bucket, undefined, 'uploads'), uploadId);
    const startedFor = await readFile(join(folder, 'key'), 'utf8').catch(() => null);
    return startedFor === key ? folder : null;
  }

  private async storedParts(folder: string): Promise<Map<number, { size: number; etag: string; modified: Date }>> {
    const parts = new Map<number, { size: number; etag: string; modified: Date }>();
    for (const name of await readdir(folder)) {
      if (!/^\d+$/.test(name)) continue;
      const [info, md5] = await Promise.all([stat(join(folder, name)), readFile(join(folder, `${name}.md5`), 'utf8').catch(() => null)]);
      if (md5 !== null) parts.set(Number(name), { size: info.size, etag: md5, modified: info.mtime });
    }
    return parts;
  }

  private async listParts(res: ServerResponse, upload: Upload, params: URLSearchParams): Promise<void> {
    const marker = Number(params.get('part-number-marker') ?? 0);
    const max = Math.min(Number(params.get('max-parts') ?? 1000), this.partsPerPage);
    const all = [...(await this.storedParts(upload.folder))].filter(([n]) => n > marker).sort(([a], [b]) => a - b);
    const page = all.slice(0, max);
    const truncated = all.length > page.length;
    const next = page.at(-1)?.[0] ?? marker;
    answerXml(
      res,
      200,
      'ListPartsResult',
      `<Bucket>${xml(upload.bucket)}</Bucket><Key>${xml(upload.key)}</Key><UploadId>${upload.uploadId}</UploadId>` +
        `<PartNumberMarker>${marker}</PartNumberMarker><NextPartNumberMarker>${next}</NextPartNumberMarker>` +
        `<MaxParts>${max}</MaxParts><IsTruncated>${truncated}</IsTruncated>` +
        page
          .map(
            ([n, p]) =>
              `<Part><PartNumber>${n}</PartNumber><LastModified>${p.modified.toISOString()}</LastModified>` +
              `<ETag>&quot;${p.etag}&quot;</ETag><Size>${p.size}</Size></Part>`,
          )
          .join(''),
    );
  }

  private async complete(req: IncomingMessage, res: ServerResponse, upload: Upload): Promise<void> {
    const body = await readBody(req, 1 << 20);
    const asked = [...body.matchAll(/<Part>([\s\S]*?)<\/Part>/g)].map(([, part]) => ({
      number: Number(/<PartNumber>\s*(\d+)\s*<\/PartNumber>/.exec(part ?? '')?.[1]),
      etag: unxml(/<ETag>([\s\S]*?)<\/ETag>/.exec(part ?? '')?.[1] ?? '').replace(/"/g, ''),
    }));
    if (asked.length === 0) return answerError(req, res, 400, 'MalformedXML', 'The XML you provided was not well-formed.');
    if (asked.some((p, i) => i > 0 && p.number <= (asked[i - 1]?.number ?? 0))) {
      return answerError(req, res, 400, 'InvalidPartOrder', 'The list of parts was not in ascending order.');
    }
    const stored = await this.storedParts(upload.folder);
    for (const [i, p] of asked.entries()) {
      const found = stored.get(p.number);
      if (!found || found.etag !== p.etag)
        return answerError(req, res, 400, 'InvalidPart', `Part ${p.number} was not found or its ETag differs.`);
      if (i < asked.length - 1 && found.size < MIN_PART_BYTES) {
        return answerError(req, res, 400, 'EntityTooSmall', 'Your proposed upload is smaller than the minimum allowed object size.');
      }
    }
    const { md5 } = await this.s3rver.store.putObjectMultipart(upload.bucket, upload.uploadId, asked);
    answerXml(
      res,
      200,
      'CompleteMultipartUploadResult',
      `<Bucket>${xml(upload.bucket)}</Bucket><Key>${xml(upload.key)}</Key><ETag>&quot;${md5}&quot;</ETag>`,
    );
  }
}

type Upload = { bucket: string; key: string; uploadId: string; folder: string };

/**
 * AWS Signature Version 4, header or presigned query form, recomputed from the request as it
 * arrived (so every signed header, Content-Length included, must be exactly what was signed).
 * Requests without a SigV4 signature pass (s3rver handles anonymous and V2 requests).
 */
function verifySignature(req: IncomingMessage, rawPath: string, query: [string, string][]): boolean {
  const params = new Map(query);
  const header = req.headers.authorization;
  let credential: string | undefined;
  let signedHeaders: string | undefined;
  let signature: string | undefined;
  let amzDate: string | undefined;
  let payloadHash: string;
  if (header?.startsWith('AWS4-HMAC-SHA256 ')) {
    const fields = new Map(
      header
        .slice('AWS4-HMAC-SHA256 '.length)
        .split(',')
        .map((f) => f.trim().split('=') as [string, string]),
    );
    credential = fields.get('Credential');
    signedHeaders = fields.get('SignedHeaders');
    signature = fields.get('Signature');
    amzDate = headerValue(req, 'x-amz-date');
    payloadHash = headerValue(req, 'x-amz-content-sha256') ?? '';
  } else if (params.get('X-Amz-Algorithm') === 'AWS4-HMAC-SHA256') {
    credential = params.get('X-Amz-Credential');
    signedHeaders = params.get('X-Amz-SignedHeaders');
    signature = params.get('X-Amz-Signature');
    amzDate = params.get('X-Amz-Date');
    payloadHash = params.get('X-Amz-Content-Sha256') ?? 'UNSIGNED-PAYLOAD';
  } else {
    return true;
  }
  const [accessKeyId, date, region, service, terminator] = credential?.split('/') ?? [];
  if (!signedHeaders || !signature || !amzDate || accessKeyId !== ACCESS_KEY_ID || !date || !region || !service || !terminator)
    return false;
  const canonicalQuery = query
    .filter(([k]) => k !== 'X-Amz-Signature')
    .map(([k, v]) => [rfc3986(k), rfc3986(v)] as const)
    .sort(([ak, av], [bk, bv]) => (ak < bk ? -1 : ak > bk ? 1 : av < bv ? -1 : av > bv ? 1 : 0))
    .map(([k, v]) => `${k}=${v}`)
    .join('&');
  const names = signedHeaders.split(';');
  const canonicalHeaders = names.map((name) => `${name}:${(headerValue(req, name) ?? '').trim().replace(/\s+/g, ' ')}\n`).join('');
  const canonicalRequest = [req.method, rawPath, canonicalQuery, canonicalHeaders, signedHeaders, payloadHash].join('\n');
  const scope = [date, region, service, terminator].join('/');
  const stringToSign = ['AWS4-HMAC-SHA256', amzDate, scope, createHash('sha256').update(canonicalRequest).digest('hex')].join('\n');
  let key: Buffer = createHmac('sha256', `AWS4${SECRET_ACCESS_KEY}`).update(date).digest();
  for (const part of [region, service, terminator]) key = createHmac('sha256', key).update(part).digest();
  return createHmac('sha256', key).update(stringToSign).digest('hex') === signature;
}

function headerValue(req: IncomingMessage, name: string): string | undefined {
  const value = req.headers[name];
  return Array.isArray(value) ? value.join(',') : value;
}

function parseQuery(raw: string): [string, string][] {
  return raw
    .split('&')
    .filter(Boolean)
    .map((pair) => {
      const at = pair.indexOf('=');
      return at < 0 ? [decodeURIComponent(pair), ''] : [decodeURIComponent(pair.slice(0, at)), decodeURIComponent(pair.slice(at + 1))];
    });
}

function rfc3986(s: string): string {
  return encodeURIComponent(s).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

function xml(s: string): string {
  return s.replace(/[<>&'"]/g, (c) => `&#${c.charCodeAt(0)};`);
}

function unxml(s: string): string {
  return s.replace(/&(quot|amp|lt|gt|apos|#\d+);/g, (_, e: string) =>
    e.startsWith('#')
      ? String.fromCharCode(Number(e.slice(1)))
      : (({ quot: '"', amp: '&', lt: '<', gt: '>', apos: "'" } as Record<string, string>)[e] ?? ''),
  );
}

async function readBody(req: IncomingMessage, limit: number): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > limit) throw new Error('request body too large');
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

function answerXml(res: ServerResponse, status: number, root: string, inner: string): void {
  res.writeHead(status, { 'Content-Type': 'application/xml' });
  res.end(`<?xml version="1.0" encoding="UTF-8"?>\n<${root} xmlns="http://s3.amazonaws.com/doc/2006-03-01/">${inner}</${root}>`);
}

/** An S3 error answer, after draining the request body (so a client still sending gets the answer, not a reset). */
function answerError(req: IncomingMessage, res: ServerResponse, status: number, code: string, message: string): void {
  const send = () => {
    if (req.headers.origin) {
      res.setHeader('Access-Control-Allow-Origin', '*');
      res.setHeader('Access-Control-Expose-Headers', 'ETag');
    }
    res.writeHead(status, { 'Content-Type': 'application/xml' });
    res.end(`<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${code}</Code><Message>${xml(message)}</Message></Error>`);
  };
  if (req.readableEnded) send();
  else
    req
      .on('end', send)
      .on('error', () => res.destroy())
      .resume();
}

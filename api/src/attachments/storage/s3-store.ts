import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CreateMultipartUploadCommand,
  DeleteObjectsCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListPartsCommand,
  PutObjectCommand,
  S3Client,
  UploadPartCommand,
} from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import {
  assertObjectKey,
  assertPartNumber,
  assertRange,
  contiguousParts,
  InvalidStoreArgumentError,
  NoSuchUploadError,
  type ObjectStore,
} from './object-store.js';

export type S3StoreOptions = {
  /** e.g. `http://127.0.0.1:9000`; omit for AWS itself. */
  endpoint?: string;
  /**
   * Where browsers reach the store, when not at `endpoint` (the API may reach it by a name
   * only its network knows, e.g. `http://minio:9000`): the presigned part URLs are made for it.
   */
  publicEndpoint?: string;
  region: string;
  bucket: string;
  accessKeyId: string;
  secretAccessKey: string;
  /** `https://endpoint/bucket/key` instead of `https://bucket.endpoint/key` (most S3-compatible servers want it). */
  forcePathStyle: boolean;
};

/** Most keys one DeleteObjects request may name. */
const DELETE_BATCH = 1000;
/** Longest life S3 allows a presigned URL (SigV4: one week). */
const MAX_EXPIRES_SECONDS = 604_800;

/**
 * Attachment bytes in an S3 bucket (AWS or any S3-compatible server), through the AWS SDK v3.
 *
 * Parts do not pass through the API: `partTarget` presigns an UploadPart whose Content-Length
 * is signed, so the store itself refuses a body of any other size. Checksums are sent only when
 * an operation requires them (DeleteObjects), so presigned URLs carry no checksum of an empty
 * body and S3-compatible servers without the newer checksum headers work.
 */
export class S3Store implements ObjectStore {
  readonly kind = 's3' as const;
  private readonly client: S3Client;
  /** Signs the URLs browsers use (the same client unless `publicEndpoint` differs). */
  private readonly signer: S3Client;
  private readonly bucket: string;

  constructor(options: S3StoreOptions) {
    this.bucket = options.bucket;
    const clientAt = (endpoint: string | undefined) =>
      new S3Client({
        ...(endpoint ? { endpoint } : {}),
        region: options.region,
        forcePathStyle: options.forcePathStyle,
        credentials: { accessKeyId: options.accessKeyId, secretAccessKey: options.secretAccessKey },
        requestChecksumCalculation: 'WHEN_REQUIRED',
        responseChecksumValidation: 'WHEN_REQUIRED',
      });
    this.client = clientAt(options.endpoint);
    this.signer = options.publicEndpoint && options.publicEndpoint !== options.endpoint ? clientAt(options.publicEndpoint) : this.client;
  }

  async startUpload(key: string): Promise<string> {
    const { UploadId } = await this.client.send(new CreateMultipartUploadCommand({ Bucket: this.bucket, Key: assertObjectKey(key) }));
    if (!UploadId) throw new Error('CreateMultipartUpload answered no UploadId');
    return UploadId;
  }

  async uploadedParts(key: string, uploadId: string): Promise<Map<number, number>> {
    const parts = new Map<number, number>();
    for (const part of await this.listParts(key, uploadId)) parts.set(part.number, part.size);
    return parts;
  }

  async partTarget(
    key: string,
    uploadId: string,
    part: number,
    bytes: number,
    expiresSeconds: number,
  ): Promise<{ url: string; headers: Record<string, string> }> {
    assertObjectKey(key);
    assertPartNumber(part);
    if (!Number.isSafeInteger(bytes) || bytes < 1) throw new InvalidStoreArgumentError('part size', bytes);
    if (!Number.isSafeInteger(expiresSeconds) || expiresSeconds < 1 || expiresSeconds > MAX_EXPIRES_SECONDS) {
      throw new InvalidStoreArgumentError('expiry', expiresSeconds);
    }
    const command = new UploadPartCommand({ Bucket: this.bucket, Key: key, UploadId: uploadId, PartNumber: part, ContentLength: bytes });
    const url = await getSignedUrl(this.signer, command, {
      expiresIn: expiresSeconds,
      signableHeaders: new Set(['content-length']),
    });
    // The size bound is the point of this URL: never hand out one that lost it.
    const signed = new URL(url).searchParams.get('X-Amz-SignedHeaders')?.split(';') ?? [];
    if (!signed.includes('content-length')) throw new Error('presigned UploadPart does not sign Content-Length');
    return { url, headers: {} };
  }

  async writePart(): Promise<void> {
    throw new Error('S3Store takes no parts through the API: clients PUT them to partTarget URLs');
  }

  async completeUpload(key: string, uploadId: string): Promise<void> {
    const listed = await this.listParts(key, uploadId);
    const etags = new Map(listed.map((p) => [p.number, p.etag]));
    const parts = contiguousParts(etags.keys()).map((n) => ({ PartNumber: n, ETag: etags.get(n) }));
    await this.client.send(
      new CompleteMultipartUploadCommand({ Bucket: this.bucket, Key: key, UploadId: uploadId, MultipartUpload: { Parts: parts } }),
    );
  }

  async abortUpload(key: string, uploadId: string): Promise<void> {
    try {
      await this.client.send(new AbortMultipartUploadCommand({ Bucket: this.bucket, Key: assertObjectKey(key), UploadId: uploadId }));
    } catch (error) {
      if (!isNoSuchUpload(error)) throw error;
    }
  }

  async put(key: string, bytes: Uint8Array, contentType: string): Promise<void> {
    await this.client.send(
      new PutObjectCommand({
        Bucket: this.bucket,
        Key: assertObjectKey(key),
        Body: bytes,
        ContentType: contentType,
        ContentLength: bytes.byteLength,
      }),
    );
  }

  async read(key: string, range?: { start: number; end: number }): Promise<{ body: AsyncIterable<Uint8Array>; size: number } | null> {
    assertObjectKey(key);
    if (range) assertRange(range);
    try {
      const answer = await this.client.send(
        new GetObjectCommand({ Bucket: this.bucket, Key: key, ...(range ? { Range: `bytes=${range.start}-${range.end}` } : {}) }),
      );
      const body = answer.Body as unknown as (AsyncIterable<Uint8Array> & { destroy?: () => void }) | undefined;
      if (!body) throw new Error('GetObject answered no body');
      const size = totalSize(answer.ContentRange, answer.ContentLength);
      if (!range) return { body, size };
      // Some servers ignore parts of a Range (s3rver reads "bytes=0-0" as the whole object): cut to what was asked.
      const length = Math.max(0, Math.min(range.end, size - 1) - range.start + 1);
      return { body: take(body, length), size };
    } catch (error) {
      if (isNotFound(error)) return null;
      if (range && statusOf(error) === 416) {
        const size = await this.size(key);
        return size === null ? null : { body: (async function* () {})(), size };
      }
      throw error;
    }
  }

  async head(key: string, bytes: number): Promise<Uint8Array | null> {
    if (!Number.isSafeInteger(bytes) || bytes < 0) throw new InvalidStoreArgumentError('byte count', bytes);
    if (bytes === 0) return (await this.size(assertObjectKey(key))) === null ? null : new Uint8Array(0);
    const found = await this.read(key, { start: 0, end: bytes - 1 });
    if (!found) return null;
    const chunks: Uint8Array[] = [];
    for await (const chunk of found.body) chunks.push(chunk);
    return new Uint8Array(Buffer.concat(chunks));
  }

  async delete(keys: string[]): Promise<void> {
    for (const key of keys) assertObjectKey(key);
    for (let i = 0; i < keys.length; i += DELETE_BATCH) {
      const batch = keys.slice(i, i + DELETE_BATCH);
      const { Errors } = await this.client.send(
        new DeleteObjectsCommand({ Bucket: this.bucket, Delete: { Objects: batch.map((Key) => ({ Key })), Quiet: true } }),
      );
      const failed = (Errors ?? []).filter((e) => e.Code !== 'NoSuchKey');
      if (failed.length > 0) throw new Error(`DeleteObjects failed for ${failed.length} keys: ${failed[0]?.Code} ${failed[0]?.Message}`);
    }
  }

  /** Every part stored so far, in part order, following ListParts' pages; NoSuchUploadError for an unknown upload. */
  private async listParts(key: string, uploadId: string): Promise<{ number: number; size: number; etag: string }[]> {
    assertObjectKey(key);
    const parts: { number: number; size: number; etag: string }[] = [];
    let marker: string | undefined;
    try {
      for (;;) {
        const page = await this.client.send(
          new ListPartsCommand({ Bucket: this.bucket, Key: key, UploadId: uploadId, ...(marker ? { PartNumberMarker: marker } : {}) }),
        );
        for (const p of page.Parts ?? []) {
          if (p.PartNumber === undefined || p.Size === undefined || !p.ETag) throw new Error('ListParts answered an incomplete part');
          parts.push({ number: p.PartNumber, size: p.Size, etag: p.ETag });
        }
        if (!page.IsTruncated) break;
        const next = page.NextPartNumberMarker;
        if (!next || next === marker) throw new Error('ListParts is truncated but gives no new marker');
        marker = next;
      }
    } catch (error) {
      if (isNoSuchUpload(error)) throw new NoSuchUploadError(uploadId);
      throw error;
    }
    return parts.sort((a, b) => a.number - b.number);
  }

  /** The object's size, or null when there is none. */
  private async size(key: string): Promise<number | null> {
    try {
      const { ContentLength } = await this.client.send(new HeadObjectCommand({ Bucket: this.bucket, Key: key }));
      return ContentLength ?? 0;
    } catch (error) {
      if (isNotFound(error)) return null;
      throw error;
    }
  }
}

/** The total from `Content-Range: bytes a-b/total`, else the Content-Length of a whole answer. */
function totalSize(contentRange: string | undefined, contentLength: number | undefined): number {
  const total = contentRange ? /\/(\d+)$/.exec(contentRange)?.[1] : undefined;
  if (total !== undefined) return Number(total);
  if (contentLength === undefined) throw new Error('GetObject answered no size');
  return contentLength;
}

/** The first `length` bytes of `body`; stops (and releases) the underlying stream once they are read. */
async function* take(body: AsyncIterable<Uint8Array> & { destroy?: () => void }, length: number): AsyncGenerator<Uint8Array> {
  let left = length;
  try {
    if (left === 0) return;
    for await (const chunk of body) {
      yield chunk.byteLength <= left ? chunk : chunk.subarray(0, left);
      left -= Math.min(left, chunk.byteLength);
      if (left === 0) return;
    }
  } finally {
    body.destroy?.(); // harmless once it ended; frees the connection when it did not
  }
}

function statusOf(error: unknown): number | undefined {
  return (error as { $metadata?: { httpStatusCode?: number } } | null)?.$metadata?.httpStatusCode;
}

function isNotFound(error: unknown): boolean {
  const name = (error as { name?: string } | null)?.name;
  return name === 'NoSuchKey' || name === 'NotFound' || (statusOf(error) === 404 && name !== 'NoSuchBucket');
}

function isNoSuchUpload(error: unknown): boolean {
  const name = (error as { name?: string } | null)?.name;
  return name === 'NoSuchUpload' || (statusOf(error) === 404 && name !== 'NoSuchBucket');
}

/**
 * Where attachment bytes live. Keys are `attachments/<uuid>/original` and `…/thumbnail`.
 *
 * Both stores ({@link FileStore} and {@link S3Store}) keep the same contract, checked by one
 * shared test suite: an object appears whole or not at all (no reader ever sees a partial
 * object), parts are numbered 1..n and joined in that order, and every key or upload id is
 * validated before use (a bad one throws {@link InvalidStoreArgumentError}).
 */
export interface ObjectStore {
  /** 'fs' (parts go through the API) or 's3' (parts go straight to the store, presigned). */
  readonly kind: 'fs' | 's3';
  /** Starts a multipart upload of `key`; returns its upload id. */
  startUpload(key: string): Promise<string>;
  /**
   * Parts stored so far: part number (1-based) -> bytes. Used to resume: a part listed here
   * was stored whole. Throws {@link NoSuchUploadError} for an unknown (or aborted, or
   * completed) upload.
   */
  uploadedParts(key: string, uploadId: string): Promise<Map<number, number>>;
  /**
   * s3 only: a presigned PUT of one part, bound to exactly `bytes` bytes (Content-Length is
   * part of the signature, so a body of another size is refused by the store), valid
   * `expiresSeconds`. `headers` are the ones the client must send besides those its HTTP
   * stack sends by itself (Host, Content-Length); the client sends exactly those.
   */
  partTarget(
    key: string,
    uploadId: string,
    part: number,
    bytes: number,
    expiresSeconds: number,
  ): Promise<{ url: string; headers: Record<string, string> }>;
  /**
   * fs only: stores one part from a stream; rejects with {@link PartSizeError} (and keeps
   * nothing, not even an earlier copy of the same part is harmed) unless exactly `bytes` arrive.
   * Stops reading as soon as the body runs past `bytes`. A later write of the same part
   * replaces it.
   */
  writePart(key: string, uploadId: string, part: number, body: AsyncIterable<Uint8Array>, bytes: number): Promise<void>;
  /**
   * Joins parts 1..n into the object `key` (n = parts stored), then forgets the upload.
   * Throws {@link IncompleteUploadError} when no part is stored or a number in 1..n is missing,
   * {@link NoSuchUploadError} for an unknown upload.
   */
  completeUpload(key: string, uploadId: string): Promise<void>;
  /** Drops the upload and every part of it; an unknown upload is fine (idempotent). */
  abortUpload(key: string, uploadId: string): Promise<void>;
  /** Stores a whole object at once (thumbnails, re-encoded originals), replacing any earlier one. */
  put(key: string, bytes: Uint8Array, contentType: string): Promise<void>;
  /**
   * The object's bytes, streamed; null when there is none. `size` is the object's TOTAL size.
   * With `range` (inclusive start/end, as in an HTTP Range header) the body holds bytes
   * start..min(end, size - 1), and is empty when start >= size (answer 416 with `size`).
   * Throws {@link InvalidStoreArgumentError} when start > end or either is negative.
   */
  read(key: string, range?: { start: number; end: number }): Promise<{ body: AsyncIterable<Uint8Array>; size: number } | null>;
  /** The first `bytes` bytes (fewer for a smaller object); null when there is none. */
  head(key: string, bytes: number): Promise<Uint8Array | null>;
  /** Removes objects (missing ones are fine). */
  delete(keys: string[]): Promise<void>;
}

/** The two objects an attachment may have. */
export type ObjectVariant = 'original' | 'thumbnail';

const KEY = /^attachments\/[0-9a-f-]{36}\/(original|thumbnail)$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** Highest part number S3 allows (and so both stores). */
export const MAX_PART_NUMBER = 10_000;

/** The key of one object of attachment `id` (a lower-case UUID); throws InvalidStoreArgumentError otherwise. */
export function objectKey(id: string, variant: ObjectVariant): string {
  return assertObjectKey(`attachments/${id}/${variant}`);
}

/** Returns `key` when it is an attachment object key; throws InvalidStoreArgumentError otherwise. */
export function assertObjectKey(key: string): string {
  if (typeof key !== 'string' || !KEY.test(key)) throw new InvalidStoreArgumentError('object key', key);
  return key;
}

/** Returns `id` when it is a lower-case UUID; throws InvalidStoreArgumentError otherwise. */
export function assertUuid(what: string, id: string): string {
  if (typeof id !== 'string' || !UUID.test(id)) throw new InvalidStoreArgumentError(what, id);
  return id;
}

/** Returns `part` when it is a part number (1..10000); throws InvalidStoreArgumentError otherwise. */
export function assertPartNumber(part: number): number {
  if (!Number.isSafeInteger(part) || part < 1 || part > MAX_PART_NUMBER) throw new InvalidStoreArgumentError('part number', part);
  return part;
}

/** Checks an inclusive byte range; throws InvalidStoreArgumentError when it is not one. */
export function assertRange(range: { start: number; end: number }): void {
  const { start, end } = range;
  if (!Number.isSafeInteger(start) || !Number.isSafeInteger(end) || start < 0 || end < start) {
    throw new InvalidStoreArgumentError('byte range', `${start}-${end}`);
  }
}

/** A key, upload id, part number, size or range that is not one: a programming error, never user input reaching the disk. */
export class InvalidStoreArgumentError extends Error {
  constructor(what: string, value: unknown) {
    super(`invalid ${what}: ${JSON.stringify(String(value)).slice(0, 80)}`);
    this.name = 'InvalidStoreArgumentError';
  }
}

/** The upload does not exist (never started, aborted, or already completed). */
export class NoSuchUploadError extends Error {
  constructor(uploadId: string) {
    super(`no such upload: ${uploadId}`);
    this.name = 'NoSuchUploadError';
  }
}

/** A part's body was not exactly the announced size; nothing of it was kept. */
export class PartSizeError extends Error {
  constructor(
    readonly expected: number,
    readonly received: number,
  ) {
    super(`part size mismatch: expected ${expected} bytes, received ${received}${received > expected ? '+' : ''}`);
    this.name = 'PartSizeError';
  }
}

/** completeUpload found no part, or a gap in 1..n. */
export class IncompleteUploadError extends Error {
  constructor(readonly parts: number[]) {
    super(`upload incomplete: parts stored ${parts.length === 0 ? 'none' : parts.join(',')}`);
    this.name = 'IncompleteUploadError';
  }
}

/** Part numbers 1..n when `parts` holds exactly those; throws IncompleteUploadError otherwise. */
export function contiguousParts(parts: Iterable<number>): number[] {
  const sorted = [...parts].sort((a, b) => a - b);
  if (sorted.length === 0 || sorted.some((n, i) => n !== i + 1)) throw new IncompleteUploadError(sorted);
  return sorted;
}

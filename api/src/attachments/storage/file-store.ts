import { randomUUID } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { type FileHandle, mkdir, open, readdir, readFile, rename, rm, rmdir, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import {
  assertObjectKey,
  assertPartNumber,
  assertRange,
  assertUuid,
  contiguousParts,
  InvalidStoreArgumentError,
  NoSuchUploadError,
  type ObjectStore,
  PartSizeError,
} from './object-store.js';

const PART_FILE = /^[1-9][0-9]{0,4}$/;

/**
 * Attachment bytes on the local disk, under `dir` (DATA_DIR/attachments):
 * `objects/attachments/<uuid>/<variant>`, `uploads/<uploadId>/{key,<part>}` and `tmp/`.
 *
 * Every path is built from a validated key, upload id (a random UUID made here) or part
 * number, never from anything else. Every file appears by rename of a complete, synced temp
 * file from the same file system: a reader sees a whole object or none, and a crash leaves at
 * most stray temp files (in `tmp/` or an upload's folder).
 */
export class FileStore implements ObjectStore {
  readonly kind = 'fs' as const;

  constructor(private readonly dir: string) {}

  async startUpload(key: string): Promise<string> {
    assertObjectKey(key);
    const uploadId = randomUUID();
    const folder = this.uploadDir(uploadId);
    await mkdir(folder, { recursive: true });
    await writeFile(join(folder, 'key'), key);
    return uploadId;
  }

  async uploadedParts(key: string, uploadId: string): Promise<Map<number, number>> {
    const folder = await this.openUpload(key, uploadId);
    const parts = new Map<number, number>();
    for (const name of await readdir(folder)) {
      if (!PART_FILE.test(name)) continue;
      parts.set(Number(name), (await stat(join(folder, name))).size);
    }
    return new Map([...parts].sort(([a], [b]) => a - b));
  }

  async partTarget(): Promise<{ url: string; headers: Record<string, string> }> {
    throw new Error('FileStore has no part targets: parts go through the API (writePart)');
  }

  async writePart(key: string, uploadId: string, part: number, body: AsyncIterable<Uint8Array>, bytes: number): Promise<void> {
    assertPartNumber(part);
    if (!Number.isSafeInteger(bytes) || bytes < 0) throw new InvalidStoreArgumentError('part size', bytes);
    const folder = await this.openUpload(key, uploadId);
    const temp = join(folder, `.${part}.${randomUUID()}.tmp`);
    const file = await open(temp, 'wx');
    let received = 0;
    try {
      try {
        for await (const chunk of body) {
          received += chunk.byteLength;
          if (received > bytes) throw new PartSizeError(bytes, received);
          await writeAll(file, chunk);
        }
        if (received !== bytes) throw new PartSizeError(bytes, received);
        await file.sync();
      } finally {
        await file.close();
      }
      await this.openUpload(key, uploadId); // aborted meanwhile: keep nothing
      await rename(temp, join(folder, String(part))).catch((error: NodeJS.ErrnoException) => {
        throw error.code === 'ENOENT' ? new NoSuchUploadError(uploadId) : error;
      });
    } catch (error) {
      await rm(temp, { force: true });
      throw error;
    }
  }

  async completeUpload(key: string, uploadId: string): Promise<void> {
    const folder = await this.openUpload(key, uploadId);
    const parts = contiguousParts((await this.uploadedParts(key, uploadId)).keys());
    await this.writeObject(key, async (file) => {
      for (const part of parts) {
        for await (const chunk of createReadStream(join(folder, String(part)), { highWaterMark: 1 << 20 })) {
          await writeAll(file, chunk as Buffer);
        }
      }
    });
    await rm(folder, { recursive: true, force: true });
  }

  async abortUpload(key: string, uploadId: string): Promise<void> {
    assertObjectKey(key);
    assertUuid('upload id', uploadId);
    await rm(this.uploadDir(uploadId), { recursive: true, force: true });
  }

  async put(key: string, bytes: Uint8Array, _contentType: string): Promise<void> {
    await this.writeObject(key, (file) => writeAll(file, bytes));
  }

  async read(key: string, range?: { start: number; end: number }): Promise<{ body: AsyncIterable<Uint8Array>; size: number } | null> {
    if (range) assertRange(range);
    const path = this.objectPath(key);
    const file = await openIfExists(path);
    if (!file) return null;
    const { size } = await file.stat();
    const start = range?.start ?? 0;
    const end = Math.min(range?.end ?? size - 1, size - 1);
    if (start > end) {
      await file.close();
      return { body: (async function* () {})(), size };
    }
    // The stream owns (and closes) the descriptor opened before: a delete or replace meanwhile cannot tear the body.
    return { body: file.createReadStream({ start, end, highWaterMark: 1 << 20 }), size };
  }

  async head(key: string, bytes: number): Promise<Uint8Array | null> {
    if (!Number.isSafeInteger(bytes) || bytes < 0) throw new InvalidStoreArgumentError('byte count', bytes);
    const file = await openIfExists(this.objectPath(key));
    if (!file) return null;
    try {
      const buffer = Buffer.alloc(Math.min(bytes, (await file.stat()).size));
      let filled = 0;
      while (filled < buffer.length) {
        const { bytesRead } = await file.read(buffer, filled, buffer.length - filled, filled);
        if (bytesRead === 0) break;
        filled += bytesRead;
      }
      return new Uint8Array(buffer.buffer, buffer.byteOffset, filled);
    } finally {
      await file.close();
    }
  }

  async delete(keys: string[]): Promise<void> {
    for (const key of keys) assertObjectKey(key);
    for (const key of keys) {
      await rm(this.objectPath(key), { force: true });
      // The attachment's folder goes with its last object; another object arriving meanwhile keeps it.
      await rmdir(join(this.objectPath(key), '..')).catch(() => {});
    }
  }

  /** Writes a temp file with `fill`, syncs it and renames it over `key`'s path. */
  private async writeObject(key: string, fill: (file: FileHandle) => Promise<void>): Promise<void> {
    const path = this.objectPath(key);
    const tempDir = join(this.dir, 'tmp');
    await mkdir(tempDir, { recursive: true });
    const temp = join(tempDir, randomUUID());
    try {
      const file = await open(temp, 'wx');
      try {
        await fill(file);
        await file.sync();
      } finally {
        await file.close();
      }
      // A delete may remove the attachment's folder between mkdir and rename: make it again.
      for (let attempt = 1; ; attempt++) {
        await mkdir(join(path, '..'), { recursive: true });
        try {
          await rename(temp, path);
          break;
        } catch (error) {
          if ((error as NodeJS.ErrnoException).code !== 'ENOENT' || attempt === 3) throw error;
        }
      }
    } catch (error) {
      await rm(temp, { force: true });
      throw error;
    }
  }

  /** The upload's folder, once its id is valid, it exists and it was started for `key`; throws NoSuchUploadError otherwise. */
  private async openUpload(key: string, uploadId: string): Promise<string> {
    assertObjectKey(key);
    const folder = this.uploadDir(assertUuid('upload id', uploadId));
    const startedFor = await readFile(join(folder, 'key'), 'utf8').catch(() => null);
    if (startedFor !== key) throw new NoSuchUploadError(uploadId);
    return folder;
  }

  private objectPath(key: string): string {
    return join(this.dir, 'objects', ...assertObjectKey(key).split('/'));
  }

  private uploadDir(uploadId: string): string {
    return join(this.dir, 'uploads', uploadId);
  }
}

/** Writes all of `bytes` at the file's current position (a write may take fewer bytes than offered). */
async function writeAll(file: FileHandle, bytes: Uint8Array): Promise<void> {
  let offset = 0;
  while (offset < bytes.byteLength) {
    const { bytesWritten } = await file.write(bytes, offset, bytes.byteLength - offset);
    offset += bytesWritten;
  }
}

async function openIfExists(path: string) {
  try {
    return await open(path, 'r');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw error;
  }
}

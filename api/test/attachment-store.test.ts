import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createObjectStore } from '../src/attachments/storage/create-object-store.js';
import { FileStore } from '../src/attachments/storage/file-store.js';
import {
  IncompleteUploadError,
  InvalidStoreArgumentError,
  NoSuchUploadError,
  type ObjectStore,
  objectKey,
  PartSizeError,
} from '../src/attachments/storage/object-store.js';
import { S3Store } from '../src/attachments/storage/s3-store.js';
import { type S3Server, startS3Server } from './s3-server.js';

/**
 * One behaviour suite, run against both stores: FileStore on a temp folder and S3Store on a
 * real S3 HTTP server (s3rver behind test/s3-server.ts). Parts are 5 MiB (S3's minimum for
 * every part but the last) except the last; the S3 server pages ListParts by 2 parts.
 */

const MiB = 1024 * 1024;

type Subject = {
  /** A fresh store on the same data (as after a restart of the API). */
  store(): ObjectStore;
  /** Stores one part the way a client would: writePart for fs, a plain fetch PUT to a presigned URL for s3. */
  putPart(store: ObjectStore, key: string, uploadId: string, part: number, bytes: Uint8Array): Promise<void>;
};

const newKey = () => objectKey(randomUUID(), 'original');

/** What a browser PUTs: a Blob (a slice of the picked file). */
const blob = (bytes: Uint8Array) => new Blob([new Uint8Array(bytes)]);

async function* chunks(bytes: Uint8Array, size = 64 * 1024): AsyncGenerator<Uint8Array> {
  for (let i = 0; i < bytes.byteLength; i += size) yield bytes.subarray(i, i + size);
}

async function readAll(body: AsyncIterable<Uint8Array>): Promise<Buffer> {
  const parts: Uint8Array[] = [];
  for await (const chunk of body) parts.push(chunk);
  return Buffer.concat(parts);
}

async function readObject(store: ObjectStore, key: string, range?: { start: number; end: number }) {
  const found = await store.read(key, range);
  return found && { bytes: await readAll(found.body), size: found.size };
}

let dir: string;
let s3: S3Server;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'mailboat-files-'));
  s3 = await startS3Server({ partsPerPage: 2 });
});

afterAll(async () => {
  rmSync(dir, { recursive: true, force: true });
  await s3?.close();
});

const subjects: [string, () => Subject][] = [
  [
    'FileStore',
    () => ({
      store: () => createObjectStore({ kind: 'fs', dir }),
      putPart: (store, key, uploadId, part, bytes) => store.writePart(key, uploadId, part, chunks(bytes), bytes.byteLength),
    }),
  ],
  [
    'S3Store',
    () => ({
      store: () => createObjectStore({ kind: 's3', ...s3 }),
      async putPart(store, key, uploadId, part, bytes) {
        const target = await store.partTarget(key, uploadId, part, bytes.byteLength, 60);
        const answer = await fetch(target.url, { method: 'PUT', headers: target.headers, body: blob(bytes) });
        if (!answer.ok) throw new Error(`part PUT answered ${answer.status}: ${await answer.text()}`);
      },
    }),
  ],
];

describe.each(subjects)('%s', (name, subject) => {
  let store: ObjectStore;
  let putPart: Subject['putPart'];
  const parts = [randomBytes(5 * MiB), randomBytes(5 * MiB), randomBytes(1234)];
  const whole = Buffer.concat(parts);

  beforeAll(() => {
    const s = subject();
    store = s.store();
    putPart = s.putPart;
    expect(store.kind).toBe(name === 'FileStore' ? 'fs' : 's3');
    expect(store).toBeInstanceOf(name === 'FileStore' ? FileStore : S3Store);
  });

  it('joins a multipart upload of 3 parts, sent out of order, into a byte-exact object', async () => {
    const key = newKey();
    const uploadId = await store.startUpload(key);
    await putPart(store, key, uploadId, 3, parts[2]!);
    await putPart(store, key, uploadId, 1, parts[0]!);
    await putPart(store, key, uploadId, 2, parts[1]!);
    await store.completeUpload(key, uploadId);

    const read = await readObject(store, key);
    expect(read?.size).toBe(whole.length);
    expect(read?.bytes.equals(whole)).toBe(true);
    await expect(store.uploadedParts(key, uploadId)).rejects.toBeInstanceOf(NoSuchUploadError);
  });

  it('lists the parts stored so far, also to a new store instance, so an upload resumes', async () => {
    const key = newKey();
    const uploadId = await store.startUpload(key);
    expect(await store.uploadedParts(key, uploadId)).toEqual(new Map());
    await putPart(store, key, uploadId, 1, parts[0]!);
    await putPart(store, key, uploadId, 3, parts[2]!);

    const afterRestart = subject().store();
    expect(await afterRestart.uploadedParts(key, uploadId)).toEqual(
      new Map([
        [1, 5 * MiB],
        [3, 1234],
      ]),
    );
    await putPart(afterRestart, key, uploadId, 2, parts[1]!);
    expect([...(await afterRestart.uploadedParts(key, uploadId)).keys()]).toEqual([1, 2, 3]);
    await afterRestart.completeUpload(key, uploadId);
    expect((await readObject(store, key))?.bytes.equals(whole)).toBe(true);
  });

  it('refuses a part of the wrong size, shorter or longer, and keeps nothing of it', async () => {
    const key = newKey();
    const uploadId = await store.startUpload(key);
    const part = randomBytes(1000);
    const refused = async (body: Uint8Array) => {
      if (store.kind === 'fs') {
        await expect(store.writePart(key, uploadId, 1, chunks(body, 100), part.length)).rejects.toBeInstanceOf(PartSizeError);
      } else {
        const target = await store.partTarget(key, uploadId, 1, part.length, 60);
        const answer = await fetch(target.url, { method: 'PUT', headers: target.headers, body: blob(body) });
        expect(answer.status).toBe(403);
      }
    };
    await refused(part.subarray(0, 999));
    await refused(Buffer.concat([part, Buffer.from([0])]));
    await refused(new Uint8Array(0));
    expect(await store.uploadedParts(key, uploadId)).toEqual(new Map());

    // A refused rewrite leaves the part stored before untouched.
    await putPart(store, key, uploadId, 1, part);
    await refused(part.subarray(0, 10));
    expect(await store.uploadedParts(key, uploadId)).toEqual(new Map([[1, 1000]]));
    await store.completeUpload(key, uploadId);
    expect((await readObject(store, key))?.bytes.equals(part)).toBe(true);
  });

  it('refuses to complete an upload with no part or a gap, and keeps it for a retry', async () => {
    const key = newKey();
    const uploadId = await store.startUpload(key);
    await expect(store.completeUpload(key, uploadId)).rejects.toBeInstanceOf(IncompleteUploadError);
    await putPart(store, key, uploadId, 1, parts[0]!);
    await putPart(store, key, uploadId, 3, parts[2]!);
    await expect(store.completeUpload(key, uploadId)).rejects.toBeInstanceOf(IncompleteUploadError);
    expect(await store.read(key)).toBeNull();

    await putPart(store, key, uploadId, 2, parts[1]!);
    await store.completeUpload(key, uploadId);
    expect((await readObject(store, key))?.size).toBe(whole.length);
  });

  it('reads a completed object whole and by inclusive ranges, clamped to its size', async () => {
    const key = newKey();
    const uploadId = await store.startUpload(key);
    for (const [i, part] of parts.entries()) await putPart(store, key, uploadId, i + 1, part);
    await store.completeUpload(key, uploadId);

    const size = whole.length;
    const cases: [number, number, Buffer][] = [
      [0, 0, whole.subarray(0, 1)],
      [0, 9, whole.subarray(0, 10)],
      [5 * MiB - 3, 5 * MiB + 2, whole.subarray(5 * MiB - 3, 5 * MiB + 3)], // across a part boundary
      [size - 5, size - 1, whole.subarray(size - 5)],
      [size - 5, size + 1000, whole.subarray(size - 5)],
    ];
    for (const [start, end, expected] of cases) {
      const read = await readObject(store, key, { start, end });
      expect(read?.size, `${start}-${end}`).toBe(size);
      expect(read?.bytes.equals(expected), `${start}-${end}`).toBe(true);
    }
    expect(await readObject(store, key, { start: size, end: size + 10 })).toEqual({ bytes: Buffer.alloc(0), size });
    await expect(store.read(key, { start: 10, end: 9 })).rejects.toBeInstanceOf(InvalidStoreArgumentError);
  });

  it('gives the head of a small object whole and of a large one its first bytes', async () => {
    const small = newKey();
    await store.put(small, Buffer.from('hello'), 'text/plain');
    expect(Buffer.from((await store.head(small, 65536))!).toString()).toBe('hello');
    expect(Buffer.from((await store.head(small, 1))!).toString()).toBe('h');

    const large = newKey();
    const bytes = randomBytes(3 * MiB);
    await store.put(large, bytes, 'application/octet-stream');
    expect(Buffer.from((await store.head(large, 65536))!).equals(bytes.subarray(0, 65536))).toBe(true);
    expect(await store.head(newKey(), 65536)).toBeNull();
  });

  it('puts an object whole, replacing an earlier one', async () => {
    const key = objectKey(randomUUID(), 'thumbnail');
    await store.put(key, Buffer.from('first version'), 'image/webp');
    await store.put(key, Buffer.from('second'), 'image/webp');
    expect(await readObject(store, key)).toEqual({ bytes: Buffer.from('second'), size: 6 });
  });

  it('deletes present and missing keys alike', async () => {
    const id = randomUUID();
    const original = objectKey(id, 'original');
    const thumbnail = objectKey(id, 'thumbnail');
    const other = newKey();
    await store.put(original, Buffer.from('o'), 'text/plain');
    await store.put(thumbnail, Buffer.from('t'), 'image/webp');
    await store.put(other, Buffer.from('x'), 'text/plain');

    await store.delete([original, thumbnail, newKey()]);
    expect(await store.read(original)).toBeNull();
    expect(await store.read(thumbnail)).toBeNull();
    expect((await readObject(store, other))?.bytes.toString()).toBe('x');
    await store.delete([]);
    await store.delete([original]);
    await store.put(original, Buffer.from('again'), 'text/plain');
    expect((await readObject(store, original))?.bytes.toString()).toBe('again');
  });

  it('aborts an upload so nothing of it is left, and aborting again is fine', async () => {
    const key = newKey();
    const uploadId = await store.startUpload(key);
    await putPart(store, key, uploadId, 1, parts[0]!);
    await store.abortUpload(key, uploadId);
    await store.abortUpload(key, uploadId);

    await expect(store.uploadedParts(key, uploadId)).rejects.toBeInstanceOf(NoSuchUploadError);
    await expect(store.completeUpload(key, uploadId)).rejects.toBeInstanceOf(NoSuchUploadError);
    await expect(putPart(store, key, uploadId, 2, parts[2]!)).rejects.toThrow();
    expect(await store.read(key)).toBeNull();
  });

  it('reads a missing key as null', async () => {
    expect(await store.read(newKey())).toBeNull();
    expect(await store.read(newKey(), { start: 0, end: 10 })).toBeNull();
  });

  it('refuses keys that are not attachment keys before touching anything', async () => {
    const bad = [
      '../../etc/passwd',
      'attachments/../../../etc/original',
      'attachments/ABCDEF00-0000-0000-0000-000000000000/original',
      'other/key',
    ];
    for (const key of bad) {
      await expect(store.read(key)).rejects.toBeInstanceOf(InvalidStoreArgumentError);
      await expect(store.put(key, Buffer.from('x'), 'text/plain')).rejects.toBeInstanceOf(InvalidStoreArgumentError);
      await expect(store.startUpload(key)).rejects.toBeInstanceOf(InvalidStoreArgumentError);
      await expect(store.delete([newKey(), key])).rejects.toBeInstanceOf(InvalidStoreArgumentError);
    }
  });
});

describe('FileStore only', () => {
  const store = () => new FileStore(dir);

  it('refuses path traversal in keys and upload ids', async () => {
    const key = newKey();
    await expect(store().read('attachments/../../../../etc/passwd')).rejects.toBeInstanceOf(InvalidStoreArgumentError);
    await expect(store().head('attachments/0190c4f0-0000-7000-8000-00000000000/../original', 10)).rejects.toBeInstanceOf(
      InvalidStoreArgumentError,
    );
    for (const uploadId of ['../../objects', '..', `${randomUUID()}/../x`, randomUUID().toUpperCase()]) {
      await expect(store().uploadedParts(key, uploadId)).rejects.toBeInstanceOf(InvalidStoreArgumentError);
      await expect(store().writePart(key, uploadId, 1, chunks(Buffer.from('x')), 1)).rejects.toBeInstanceOf(InvalidStoreArgumentError);
      await expect(store().completeUpload(key, uploadId)).rejects.toBeInstanceOf(InvalidStoreArgumentError);
      await expect(store().abortUpload(key, uploadId)).rejects.toBeInstanceOf(InvalidStoreArgumentError);
    }
  });

  it('makes random upload ids bound to their key', async () => {
    const key = newKey();
    const [a, b] = [await store().startUpload(key), await store().startUpload(key)];
    expect(a).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(a).not.toBe(b);
    await expect(store().uploadedParts(newKey(), a)).rejects.toBeInstanceOf(NoSuchUploadError);
    await expect(store().uploadedParts(key, randomUUID())).rejects.toBeInstanceOf(NoSuchUploadError);
  });

  it('stops reading a part body as soon as it runs past the announced size, leaving no temp file', async () => {
    const key = newKey();
    const uploadId = await store().startUpload(key);
    let pulled = 0;
    async function* endless() {
      for (;;) {
        pulled++;
        yield new Uint8Array(1000);
      }
    }
    await expect(store().writePart(key, uploadId, 1, endless(), 2500)).rejects.toBeInstanceOf(PartSizeError);
    expect(pulled).toBe(3);
    expect(readdirSync(join(dir, 'uploads', uploadId))).toEqual(['key']);
  });

  it('refuses part numbers and sizes out of range', async () => {
    const key = newKey();
    const uploadId = await store().startUpload(key);
    for (const part of [0, -1, 1.5, 10_001]) {
      await expect(store().writePart(key, uploadId, part, chunks(Buffer.from('x')), 1)).rejects.toBeInstanceOf(InvalidStoreArgumentError);
    }
    await expect(store().writePart(key, uploadId, 1, chunks(Buffer.from('x')), -1)).rejects.toBeInstanceOf(InvalidStoreArgumentError);
  });
});

describe('S3Store only', () => {
  const store = () => new S3Store(s3);

  it('presigns a part PUT that a plain fetch (as a browser) uses, bound to its exact size', async () => {
    const key = newKey();
    const uploadId = await store().startUpload(key);
    const target = await store().partTarget(key, uploadId, 1, 5, 60);
    expect(target.headers).toEqual({});
    expect(new URL(target.url).searchParams.get('X-Amz-SignedHeaders')?.split(';')).toContain('content-length');
    // A checksum in the URL would be the checksum of an empty body: S3 would refuse every part (s3rver ignores checksums).
    expect(target.url).not.toMatch(/x-amz-checksum|x-amz-sdk-checksum/i);

    const bigger = await fetch(target.url, { method: 'PUT', body: Buffer.from('123456') });
    expect(bigger.status).toBe(403);
    expect(await bigger.text()).toContain('SignatureDoesNotMatch');
    const smaller = await fetch(target.url, { method: 'PUT', body: Buffer.from('1234') });
    expect(smaller.status).toBe(403);
    expect(await store().uploadedParts(key, uploadId)).toEqual(new Map());

    const right = await fetch(target.url, { method: 'PUT', body: Buffer.from('12345'), headers: { Origin: 'https://app.example' } });
    expect(right.status).toBe(200);
    expect(right.headers.get('etag')).toMatch(/^"[0-9a-f]{32}"$/);
    expect(right.headers.get('access-control-expose-headers')).toContain('ETag');
    expect(await store().uploadedParts(key, uploadId)).toEqual(new Map([[1, 5]]));
    await store().abortUpload(key, uploadId);
  });

  it('answers a browser preflight for the part PUT from any origin', async () => {
    const key = newKey();
    const uploadId = await store().startUpload(key);
    const target = await store().partTarget(key, uploadId, 1, 5, 60);
    const preflight = await fetch(target.url, {
      method: 'OPTIONS',
      headers: { Origin: 'https://app.example', 'Access-Control-Request-Method': 'PUT', 'Access-Control-Request-Headers': 'content-type' },
    });
    expect(preflight.status).toBe(200);
    expect(preflight.headers.get('access-control-allow-origin')).toBe('*');
    expect(preflight.headers.get('access-control-allow-methods')).toContain('PUT');
    await store().abortUpload(key, uploadId);
  });

  it('refuses a presigned part PUT once its URL expired', async () => {
    const key = newKey();
    const uploadId = await store().startUpload(key);
    const target = await store().partTarget(key, uploadId, 1, 5, 1);
    await new Promise((resolve) => setTimeout(resolve, 2100));
    const answer = await fetch(target.url, { method: 'PUT', body: Buffer.from('12345') });
    expect(answer.status).toBe(403);
    expect(await answer.text()).toContain('expired');
    expect(await store().uploadedParts(key, uploadId)).toEqual(new Map());
    await store().abortUpload(key, uploadId);
  });

  it('refuses to presign out-of-range parts, sizes and expiries', async () => {
    const key = newKey();
    const uploadId = await store().startUpload(key);
    await expect(store().partTarget(key, uploadId, 0, 5, 60)).rejects.toBeInstanceOf(InvalidStoreArgumentError);
    await expect(store().partTarget(key, uploadId, 1, 0, 60)).rejects.toBeInstanceOf(InvalidStoreArgumentError);
    await expect(store().partTarget(key, uploadId, 1, 5, 0)).rejects.toBeInstanceOf(InvalidStoreArgumentError);
    await expect(store().partTarget(key, uploadId, 1, 5, 604_801)).rejects.toBeInstanceOf(InvalidStoreArgumentError);
    await store().abortUpload(key, uploadId);
  });

  it('is refused by the store when signed with another secret (the test server checks signatures as S3 does)', async () => {
    const forged = new S3Store({ ...s3, secretAccessKey: 'not-the-secret' });
    await expect(forged.read(newKey())).rejects.toMatchObject({ name: 'SignatureDoesNotMatch' });
    const key = newKey();
    const uploadId = await store().startUpload(key);
    const target = await forged.partTarget(key, uploadId, 1, 5, 60);
    expect((await fetch(target.url, { method: 'PUT', body: Buffer.from('12345') })).status).toBe(403);
    await store().abortUpload(key, uploadId);
  });

  it('deletes more keys than one DeleteObjects request takes', async () => {
    const keys = Array.from({ length: 1005 }, newKey);
    await Promise.all(
      keys
        .slice(0, 3)
        .concat(keys.slice(-3))
        .map((key) => store().put(key, Buffer.from('x'), 'text/plain')),
    );
    await store().delete(keys);
    for (const key of keys.slice(0, 3).concat(keys.slice(-3))) expect(await store().read(key)).toBeNull();
  });
});

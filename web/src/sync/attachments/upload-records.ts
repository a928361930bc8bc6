import type { AccountDb } from '../local-db.js';
import { type CacheEntry, cacheKey, type PendingUpload } from './records.js';

/**
 * The pending-upload records and their bytes in the account's database (records.ts). Each
 * change is one IndexedDB transaction, so a record and its bytes come and go together; the
 * page and the service worker both call these.
 */

/** Stores new files of a message: their records, and their bytes as pinned 'original' cache entries. */
export async function storeUploads(db: AccountDb, files: { record: PendingUpload; blob: Blob }[], now: number): Promise<void> {
  const tx = db.transaction(['uploads', 'attachmentCache', 'attachmentBytes'], 'readwrite');
  const writes: Promise<unknown>[] = [];
  for (const { record, blob } of files) {
    const key = cacheKey(record.id, 'original');
    const entry: CacheEntry = { key, id: record.id, variant: 'original', type: record.type, size: blob.size, usedAt: now, pinned: true };
    writes.push(tx.objectStore('uploads').put(record), tx.objectStore('attachmentCache').put(entry));
    writes.push(tx.objectStore('attachmentBytes').put(blob, key));
  }
  await Promise.all([...writes, tx.done]);
}

export function listUploads(db: AccountDb): Promise<PendingUpload[]> {
  return db.getAll('uploads');
}

export function readUpload(db: AccountDb, id: string): Promise<PendingUpload | undefined> {
  return db.get('uploads', id);
}

/** The bytes of an upload, or undefined when the device no longer has them. */
export function uploadBytes(db: AccountDb, id: string): Promise<Blob | undefined> {
  return db.get('attachmentBytes', cacheKey(id, 'original'));
}

/** Replaces a record (progress, failure) if it still exists: a record dropped meanwhile (cancelled) stays dropped. */
export async function updateUpload(db: AccountDb, id: string, change: (record: PendingUpload) => PendingUpload): Promise<void> {
  const tx = db.transaction('uploads', 'readwrite');
  const record = await tx.store.get(id);
  if (record) await tx.store.put(change(record));
  await tx.done;
}

/**
 * The server completed the upload: its record goes, and its bytes stay as an ordinary
 * (evictable) cache entry. A record cancelled meanwhile stays, holding its message back.
 */
export async function uploadDone(db: AccountDb, id: string, now: number): Promise<void> {
  const tx = db.transaction(['uploads', 'attachmentCache'], 'readwrite');
  const cache = tx.objectStore('attachmentCache');
  const [record, entry] = await Promise.all([tx.objectStore('uploads').get(id), cache.get(cacheKey(id, 'original'))]);
  if (record?.state === 'pending') {
    await Promise.all([tx.objectStore('uploads').delete(id), entry && cache.put({ ...entry, pinned: false, usedAt: now })]);
  }
  await tx.done;
}

/** Forgets uploads and every cached byte of those attachments (a cancel, a dismiss, an orphan). */
export async function dropUploads(db: AccountDb, ids: readonly string[]): Promise<void> {
  if (ids.length === 0) return;
  const tx = db.transaction(['uploads', 'attachmentCache', 'attachmentBytes'], 'readwrite');
  const writes: Promise<unknown>[] = [];
  for (const id of ids) {
    writes.push(tx.objectStore('uploads').delete(id));
    for (const key of [cacheKey(id, 'original'), cacheKey(id, 'thumbnail')]) {
      writes.push(tx.objectStore('attachmentCache').delete(key), tx.objectStore('attachmentBytes').delete(key));
    }
  }
  await Promise.all([...writes, tx.done]);
}

/** Marks uploads cancelled and drops their bytes; the records stay (holding their message back) until the message is rolled back. */
export async function cancelUploads(db: AccountDb, ids: readonly string[]): Promise<void> {
  if (ids.length === 0) return;
  const tx = db.transaction(['uploads', 'attachmentCache', 'attachmentBytes'], 'readwrite');
  const writes: Promise<unknown>[] = [];
  for (const id of ids) {
    const key = cacheKey(id, 'original');
    writes.push(tx.objectStore('attachmentCache').delete(key), tx.objectStore('attachmentBytes').delete(key));
    writes.push(
      tx
        .objectStore('uploads')
        .get(id)
        .then((r) => r && tx.objectStore('uploads').put({ ...r, state: 'cancelled' })),
    );
  }
  await Promise.all([...writes, tx.done]);
}

import type { AttachmentVariant } from '../../app/model.js';
import type { AccountDb } from '../local-db.js';
import { type CacheEntry, cacheKey } from './records.js';

/**
 * The device's attachment bytes (the account's database): own files waiting to upload
 * (pinned) and what was sent or viewed. Unpinned entries are kept least-recently-used within
 * a byte limit (the device's attachmentCacheLimit); pinned ones are never evicted and do
 * not count against it (they are the outbox's, not the cache's).
 */

/** A cached variant's bytes and type, marking it used now; null when it is not cached. */
export async function readCached(
  db: AccountDb,
  id: string,
  variant: AttachmentVariant,
  now: number,
): Promise<{ blob: Blob; type: string } | null> {
  const key = cacheKey(id, variant);
  const tx = db.transaction(['attachmentCache', 'attachmentBytes'], 'readwrite');
  const [entry, blob] = await Promise.all([tx.objectStore('attachmentCache').get(key), tx.objectStore('attachmentBytes').get(key)]);
  if (entry && blob) await tx.objectStore('attachmentCache').put({ ...entry, usedAt: now });
  await tx.done;
  return entry && blob ? { blob, type: entry.type } : null;
}

/** Caches bytes (unpinned, used now), then evicts down to `limit`. */
export async function storeCached(
  db: AccountDb,
  id: string,
  variant: AttachmentVariant,
  bytes: { blob: Blob; type: string },
  now: number,
  limit: number,
): Promise<void> {
  const key = cacheKey(id, variant);
  const entry: CacheEntry = { key, id, variant, type: bytes.type, size: bytes.blob.size, usedAt: now, pinned: false };
  const tx = db.transaction(['attachmentCache', 'attachmentBytes'], 'readwrite');
  const existing = await tx.objectStore('attachmentCache').get(key);
  // Pinned bytes (an own upload) are the truth for that id: never replaced by a download.
  if (!existing?.pinned)
    await Promise.all([tx.objectStore('attachmentCache').put(entry), tx.objectStore('attachmentBytes').put(bytes.blob, key)]);
  await tx.done;
  await evictCached(db, limit);
}

/** Removes the cached bytes of these attachments (both variants), unless pinned (an own upload still waiting). */
export async function forgetCached(db: AccountDb, ids: readonly string[]): Promise<void> {
  const tx = db.transaction(['attachmentCache', 'attachmentBytes'], 'readwrite');
  const keys = ids.flatMap((id) => [cacheKey(id, 'original'), cacheKey(id, 'thumbnail')]);
  const entries = await Promise.all(keys.map((key) => tx.objectStore('attachmentCache').get(key)));
  await Promise.all(
    entries.flatMap((e) =>
      e && !e.pinned ? [tx.objectStore('attachmentCache').delete(e.key), tx.objectStore('attachmentBytes').delete(e.key)] : [],
    ),
  );
  await tx.done;
}

/**
 * Removes unpinned entries, least recently used first, until the unpinned bytes are at most
 * `limit`. Resolves with how many bytes were freed.
 */
export async function evictCached(db: AccountDb, limit: number): Promise<number> {
  const tx = db.transaction(['attachmentCache', 'attachmentBytes'], 'readwrite');
  const evictable = (await tx.objectStore('attachmentCache').getAll()).filter((e) => !e.pinned).sort((a, b) => a.usedAt - b.usedAt);
  let total = evictable.reduce((sum, e) => sum + e.size, 0);
  let freed = 0;
  const deletes: Promise<unknown>[] = [];
  for (const e of evictable) {
    if (total <= limit) break;
    deletes.push(tx.objectStore('attachmentCache').delete(e.key), tx.objectStore('attachmentBytes').delete(e.key));
    total -= e.size;
    freed += e.size;
  }
  await Promise.all([...deletes, tx.done]);
  return freed;
}

import { LRUCache } from 'lru-cache';
import * as Y from 'yjs';
import type { Db } from '../../db/connect.js';
import { loadSegment, type SegmentKey } from './segments-repository.js';

/**
 * A segment's live document as of update `seq`, and who owns which Yjs client ID in it as of
 * the same seq (undefined: not loaded, read it from segment_clients under the segment lock).
 * `encodedBytes`: the bytes of the snapshot and updates applied to `doc`, to estimate its memory.
 */
export type CachedSegment = { doc: Y.Doc; seq: number; owners: Map<number, string> | undefined; encodedBytes: number };

/**
 * Heap bytes a live Y.Doc takes per byte of the updates it was built from: measured at 10.3
 * for messages of 180 characters written one per update (about 380 encoded bytes and 4 KB of
 * heap per message). Rounded up: the estimate must not let the cache outgrow its budget.
 */
const HEAP_PER_ENCODED_BYTE = 11;

const keyOf = (k: SegmentKey) => `${k.conversationId}:${k.segment}`;

/**
 * Hot segment documents, least recently used evicted first (a cache only: the database has
 * everything). Access to one segment is serialized in this process with `withSegments`, so
 * nobody reads a document while a push has applied updates that are not yet committed.
 */
export class SegmentCache {
  private readonly docs: LRUCache<string, CachedSegment>;
  private readonly locks = new Map<string, Promise<void>>();

  /**
   * At most `maxSegments` documents and about `maxBytes` of heap (estimated from the bytes they
   * were built from), so memory follows the segments in use, never the length of history. A
   * document larger than the whole budget is used and dropped, never cached.
   */
  constructor(maxSegments: number, maxBytes = Number.MAX_SAFE_INTEGER) {
    // Evicted documents are left to the garbage collector, not destroyed: a request holding the
    // segment's lock may still be using one.
    this.docs = new LRUCache({
      max: maxSegments,
      maxSize: maxBytes,
      sizeCalculation: (entry) => Math.max(1, entry.encodedBytes * HEAP_PER_ENCODED_BYTE),
    });
  }

  /** Estimated heap held by the cached documents, in bytes. */
  get heapBytes(): number {
    return this.docs.calculatedSize;
  }

  /** A cached document grew by `encodedBytes` of updates (a push applied them): count them against the budget. */
  grew(key: SegmentKey, entry: CachedSegment, encodedBytes: number): void {
    entry.encodedBytes += encodedBytes;
    const name = keyOf(key);
    if (this.docs.peek(name) === entry) this.store(name, entry);
  }

  /** Caches `entry` afresh, so its size is measured again (lru-cache keeps the old size when the same object is set again). */
  private store(name: string, entry: CachedSegment): void {
    this.docs.delete(name);
    this.docs.set(name, entry);
  }

  /**
   * Runs `fn` holding this process's locks on `keys` (taken in sorted order, so two callers
   * cannot deadlock).
   */
  async withSegments<T>(keys: SegmentKey[], fn: () => Promise<T>): Promise<T> {
    const names = [...new Set(keys.map(keyOf))].sort();
    const releases: (() => void)[] = [];
    try {
      for (const name of names) releases.push(await this.lock(name));
      return await fn();
    } finally {
      for (const release of releases.reverse()) release();
    }
  }

  private async lock(name: string): Promise<() => void> {
    const previous = this.locks.get(name) ?? Promise.resolve();
    let release!: () => void;
    const current = new Promise<void>((resolve) => {
      release = resolve;
    });
    const chained = previous.then(() => current);
    this.locks.set(name, chained);
    await previous;
    return () => {
      release();
      if (this.locks.get(name) === chained) this.locks.delete(name);
    };
  }

  /**
   * The segment's document, brought up to `lastSeq` (or to whatever is stored when unknown)
   * from the database. Call while holding the segment's lock. A cached document is caught
   * up with the updates after its seq; when compaction has meanwhile folded some of those
   * into the snapshot (snapshot_seq beyond the cached seq), the document is rebuilt from
   * the snapshot and the updates after it, read in the same statement.
   */
  async open(db: Db, key: SegmentKey, lastSeq?: number): Promise<CachedSegment> {
    const name = keyOf(key);
    const cached = this.docs.get(name);
    if (cached && lastSeq !== undefined && cached.seq >= lastSeq) return cached;
    const stored = await loadSegment(db, key, cached?.seq ?? 0);
    if (!stored) {
      const fresh = { doc: new Y.Doc({ gc: true }), seq: 0, owners: undefined, encodedBytes: 0 };
      this.docs.set(name, fresh);
      return fresh;
    }
    const rebuild = !cached || stored.snapshotSeq > cached.seq;
    if (rebuild && stored.snapshotSeq > 0 && !stored.snapshot) {
      throw new Error(`Segment ${name} has snapshot_seq ${stored.snapshotSeq} but no snapshot`);
    }
    // Client owners are written with the updates that bring the clients: updates this cache has
    // not seen (another node's writes, also when compacted into a newer snapshot) may come with
    // owners it has not seen either, so they are read again.
    const owners = rebuild || stored.updates.length > 0 ? undefined : cached?.owners;
    const entry: CachedSegment = rebuild ? { doc: new Y.Doc({ gc: true }), seq: 0, owners, encodedBytes: 0 } : cached;
    entry.owners = owners;
    entry.doc.transact(() => {
      if (rebuild && stored.snapshot) {
        Y.applyUpdate(entry.doc, stored.snapshot);
        entry.encodedBytes += stored.snapshot.byteLength;
      }
      for (const u of stored.updates) {
        Y.applyUpdate(entry.doc, u.update);
        entry.encodedBytes += u.update.byteLength;
      }
    });
    entry.seq = Math.max(stored.snapshotSeq, stored.updates.at(-1)?.seq ?? 0, entry.seq);
    this.store(name, entry);
    return entry;
  }

  /** Forgets a segment (after a failed write left its document ahead of the database). */
  evict(key: SegmentKey): void {
    this.docs.delete(keyOf(key));
  }
}

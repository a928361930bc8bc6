import { LRUCache } from 'lru-cache';
import * as Y from 'yjs';
import type { Db } from '../db/connect.js';
import { loadSegment, type SegmentKey } from './segments-repository.js';

/**
 * A segment's live document as of update `seq`, and who owns which Yjs client ID in it as of
 * the same seq (undefined: not loaded, read it from segment_clients under the segment lock).
 */
export type CachedSegment = { doc: Y.Doc; seq: number; owners: Map<number, string> | undefined };

const keyOf = (k: SegmentKey) => `${k.conversationId}:${k.segment}`;

/**
 * Hot segment documents, least recently used evicted first (a cache only: the database has
 * everything). Access to one segment is serialized in this process with `withSegments`, so
 * nobody reads a document while a push has applied updates that are not yet committed.
 */
export class SegmentCache {
  private readonly docs: LRUCache<string, CachedSegment>;
  private readonly locks = new Map<string, Promise<void>>();

  constructor(maxSegments: number) {
    // Evicted documents are left to the garbage collector, not destroyed: a request holding the
    // segment's lock may still be using one.
    this.docs = new LRUCache({ max: maxSegments });
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
      const fresh = { doc: new Y.Doc({ gc: true }), seq: 0, owners: undefined };
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
    const entry: CachedSegment = rebuild ? { doc: new Y.Doc({ gc: true }), seq: 0, owners } : cached;
    entry.owners = owners;
    entry.doc.transact(() => {
      if (rebuild && stored.snapshot) Y.applyUpdate(entry.doc, stored.snapshot);
      for (const u of stored.updates) Y.applyUpdate(entry.doc, u.update);
    });
    entry.seq = Math.max(stored.snapshotSeq, stored.updates.at(-1)?.seq ?? 0, entry.seq);
    this.docs.set(name, entry);
    return entry;
  }

  /** Forgets a segment (after a failed write left its document ahead of the database). */
  evict(key: SegmentKey): void {
    this.docs.delete(keyOf(key));
  }
}

import * as Y from 'yjs';
import type { AppDeps } from '../context.js';
import type { Db } from '../db/connect.js';
import { loadCompactionInput, replaceSnapshot, type SegmentKey } from './segments-repository.js';

/**
 * Compaction merges a segment's update log into its snapshot, so loading a segment reads one
 * snapshot and a short tail instead of every update ever pushed.
 *
 * It takes no lock while it reads and merges: it reads the snapshot and the updates up to
 * some seq N in one statement (one consistent view), merges them in chunks (Y.mergeUpdates
 * is superlinear: 20k updates take 19 s in one call, 0.8 s in chunks of 1,000), yielding to
 * the event loop between chunks so writers keep being served, and then, in one short
 * transaction, stores the merged snapshot with snapshot_seq = N only if the stored
 * snapshot_seq is still older (a slower second compactor changes nothing) and deletes the
 * updates with seq <= N. Updates pushed meanwhile get seqs above N and are kept. Loaders
 * read snapshot and later updates in one statement, and a cached document behind the new
 * snapshot_seq reloads from the snapshot (doc-cache.ts), so no reader ever misses an update.
 */

/** Updates merged per Y.mergeUpdates call. */
export const MERGE_CHUNK = 1000;
/** Updates one compaction pass reads at most (a longer log takes several passes). */
export const MAX_UPDATES_PER_PASS = 50_000;

export type CompactionResult = {
  /** Updates merged into the snapshot by this call (0 when there was nothing to do or another compactor won). */
  merged: number;
  /** The segment's snapshot_seq as this call left it (or found it, when it lost a race). */
  snapshotSeq: number;
};

const yieldToEventLoop = () => new Promise<void>((resolve) => setImmediate(resolve));

/**
 * Merges Yjs v1 updates into one, `chunk` at a time: each chunk is merged, then the chunk
 * results are merged the same way, until one update is left. Yields between merges.
 */
export async function mergeInChunks(updates: Uint8Array[], chunk = MERGE_CHUNK): Promise<Uint8Array> {
  if (chunk < 2) throw new RangeError('chunk must be at least 2');
  let level = updates;
  if (level.length === 0) return Y.mergeUpdates([]);
  while (level.length > 1) {
    const next: Uint8Array[] = [];
    for (let i = 0; i < level.length; i += chunk) {
      next.push(Y.mergeUpdates(level.slice(i, i + chunk)));
      await yieldToEventLoop();
    }
    level = next;
  }
  return level[0] as Uint8Array;
}

/**
 * Compacts one segment now: merges its snapshot and the updates after it into a new
 * snapshot, repeating until fewer than `minUpdates` (default 1) remain beyond the snapshot.
 * Safe to run while others push, and while another compactor (in this process or another)
 * works on the same segment. Throws on database errors (nothing is lost: the snapshot and
 * the updates are replaced in one transaction).
 */
export async function compactSegment(db: Db, key: SegmentKey, options: { minUpdates?: number } = {}): Promise<CompactionResult> {
  const minUpdates = Math.max(1, options.minUpdates ?? 1);
  let merged = 0;
  for (;;) {
    const stored = await loadCompactionInput(db, key, MAX_UPDATES_PER_PASS);
    if (!stored) return { merged, snapshotSeq: 0 };
    const last = stored.updates.at(-1);
    if (!last || stored.updates.length < minUpdates) return { merged, snapshotSeq: stored.snapshotSeq };
    const parts = stored.updates.map((u) => u.update);
    if (stored.snapshot) parts.unshift(stored.snapshot);
    const snapshot = await mergeInChunks(parts);
    const replaced = await db.transaction().execute((trx) => replaceSnapshot(trx, key, snapshot, last.seq));
    if (!replaced) return { merged, snapshotSeq: last.seq }; // a newer snapshot was stored meanwhile
    merged += stored.updates.length;
    if (stored.updates.length < MAX_UPDATES_PER_PASS) return { merged, snapshotSeq: last.seq };
  }
}

type Running = Map<string, Promise<void>>;
/** Compactions running in this process, per app (keyed by its segment cache, one per process). */
const running = new WeakMap<object, Running>();

const runningFor = (deps: Pick<AppDeps, 'segments'>): Running => {
  let map = running.get(deps.segments);
  if (!map) {
    map = new Map();
    running.set(deps.segments, map);
  }
  return map;
};

/**
 * Starts compacting `key` in the background unless this process is already compacting it.
 * Never throws and never delays the caller: errors are logged. Used after a push commits
 * when a segment has more than config.compactAfterUpdates updates beyond its snapshot.
 */
export function scheduleCompaction(deps: Pick<AppDeps, 'db' | 'segments'>, key: SegmentKey): void {
  const map = runningFor(deps);
  const name = `${key.conversationId}:${key.segment}`;
  if (map.has(name)) return;
  const task = (async () => {
    await yieldToEventLoop(); // after the push's answer is on its way
    try {
      await compactSegment(deps.db, key);
    } catch (e) {
      console.error(`Compaction of segment ${name} failed (nothing lost; it will be retried after a later push):`, e);
    } finally {
      map.delete(name);
    }
  })();
  map.set(name, task);
}

/** Resolves once every background compaction this process has started has finished (tests, shutdown). */
export async function compactionsSettled(deps: Pick<AppDeps, 'segments'>): Promise<void> {
  const map = runningFor(deps);
  while (map.size > 0) await Promise.all(map.values());
}

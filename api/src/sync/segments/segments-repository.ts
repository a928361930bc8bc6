import { sql } from 'kysely';
import type { Db } from '../../db/connect.js';

export type SegmentKey = { conversationId: string; segment: number };

export async function findSegmentSeqs(db: Db, key: SegmentKey): Promise<{ lastSeq: number; snapshotSeq: number } | undefined> {
  const row = await db
    .selectFrom('segments')
    .select(['last_seq', 'snapshot_seq'])
    .where('conversation_id', '=', key.conversationId)
    .where('segment', '=', key.segment)
    .executeTakeFirst();
  return row && { lastSeq: row.last_seq, snapshotSeq: row.snapshot_seq };
}

export type StoredSegment = { snapshot: Uint8Array | null; snapshotSeq: number; updates: { seq: number; update: Uint8Array }[] };

type SegmentRows = { snapshot: Uint8Array | null; snapshot_seq: number; seq: number | null; update: Uint8Array | null };

function storedSegment(rows: SegmentRows[]): StoredSegment | undefined {
  const first = rows[0];
  if (!first) return undefined;
  return {
    snapshot: first.snapshot,
    snapshotSeq: Number(first.snapshot_seq),
    updates: rows.filter((r) => r.seq !== null).map((r) => ({ seq: Number(r.seq), update: r.update as Uint8Array })),
  };
}

/**
 * The snapshot and every update after it, read in one statement (one consistent view), so
 * a compaction committing meanwhile cannot make updates disappear between two reads.
 * With `afterSeq`, only updates after it (and no snapshot) unless compaction has passed it:
 * then the snapshot and the updates after the snapshot, and the caller must start over
 * from them. The snapshot comes once, in a first row of its own (not repeated on every
 * update row). Undefined when the segment has no row.
 */
export async function loadSegment(db: Db, key: SegmentKey, afterSeq = 0): Promise<StoredSegment | undefined> {
  const rows = await sql<SegmentRows>`
    with s as (
      select conversation_id, segment, snapshot, snapshot_seq from segments
      where conversation_id = ${key.conversationId} and segment = ${key.segment}
    )
    select s.snapshot_seq, case when ${afterSeq}::bigint < s.snapshot_seq then s.snapshot end as snapshot,
      null::bigint as seq, null::bytea as update
    from s
    union all
    select s.snapshot_seq, null, u.seq, u.update
    from s join segment_updates u
      on u.conversation_id = s.conversation_id and u.segment = s.segment and u.seq > greatest(s.snapshot_seq, ${afterSeq}::bigint)
    order by seq nulls first`.execute(db);
  return storedSegment(rows.rows);
}

/**
 * What a compaction merges: the snapshot and at most `maxUpdates` updates after it, in seq
 * order, read in one statement (one consistent view, no lock taken).
 */
export async function loadCompactionInput(db: Db, key: SegmentKey, maxUpdates: number): Promise<StoredSegment | undefined> {
  const rows = await sql<SegmentRows>`
    with s as (
      select conversation_id, segment, snapshot, snapshot_seq from segments
      where conversation_id = ${key.conversationId} and segment = ${key.segment}
    ), u as (
      select u.seq, u.update from s
      join segment_updates u on u.conversation_id = s.conversation_id and u.segment = s.segment and u.seq > s.snapshot_seq
      order by u.seq limit ${maxUpdates}
    )
    select s.snapshot_seq, s.snapshot, null::bigint as seq, null::bytea as update from s
    union all
    select s.snapshot_seq, null, u.seq, u.update from s cross join u
    order by seq nulls first`.execute(db);
  return storedSegment(rows.rows);
}

/**
 * Replaces the snapshot with `snapshot` (the old snapshot merged with every update up to
 * `upToSeq`) and deletes those updates, in one transaction the caller owns: only when the
 * stored snapshot is older than `upToSeq`, so a slower compactor never overwrites a newer
 * snapshot. Returns whether it did. Never touches last_seq (writers own it).
 */
export async function replaceSnapshot(db: Db, key: SegmentKey, snapshot: Uint8Array, upToSeq: number): Promise<boolean> {
  const result = await db
    .updateTable('segments')
    .set({ snapshot, snapshot_seq: upToSeq })
    .where('conversation_id', '=', key.conversationId)
    .where('segment', '=', key.segment)
    .where('snapshot_seq', '<', upToSeq)
    .executeTakeFirst();
  if (Number(result.numUpdatedRows) === 0) return false;
  await db
    .deleteFrom('segment_updates')
    .where('conversation_id', '=', key.conversationId)
    .where('segment', '=', key.segment)
    .where('seq', '<=', upToSeq)
    .execute();
  return true;
}

/** How many updates the segment holds beyond its snapshot (what compaction would merge). */
export async function countUncompacted(db: Db, key: SegmentKey): Promise<number> {
  const seqs = await findSegmentSeqs(db, key);
  return seqs ? seqs.lastSeq - seqs.snapshotSeq : 0;
}

/** A conversation's segments, newest first, with how many messages each holds. */
export async function listSegments(db: Db, conversationId: string, page: { before?: number; limit: number }) {
  let q = db
    .selectFrom('messages')
    .select(['segment', (eb) => eb.fn.countAll<number>().as('messages')])
    .where('conversation_id', '=', conversationId)
    .groupBy('segment');
  if (page.before !== undefined) q = q.where('segment', '<', page.before);
  const rows = await q.orderBy('segment', 'desc').limit(page.limit).execute();
  return rows.map((r) => ({ segment: r.segment, messages: Number(r.messages) }));
}

import { sql } from 'kysely';
import type { Db } from '../db/connect.js';

export type SegmentKey = { conversationId: string; segment: number };

/** Creates the segment row if missing, then locks it for the rest of the transaction. */
export async function lockSegment(db: Db, key: SegmentKey): Promise<{ lastSeq: number; snapshotSeq: number }> {
  await db
    .insertInto('segments')
    .values({ conversation_id: key.conversationId, segment: key.segment })
    .onConflict((oc) => oc.columns(['conversation_id', 'segment']).doNothing())
    .execute();
  const row = await db
    .selectFrom('segments')
    .select(['last_seq', 'snapshot_seq'])
    .where('conversation_id', '=', key.conversationId)
    .where('segment', '=', key.segment)
    .forUpdate()
    .executeTakeFirstOrThrow();
  return { lastSeq: row.last_seq, snapshotSeq: row.snapshot_seq };
}

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

/**
 * The snapshot and every update after it, read in one statement (one consistent view), so
 * a compaction committing meanwhile cannot make updates disappear between two reads.
 * With `afterSeq`, only updates after it (and no snapshot) unless compaction has passed it.
 */
export async function loadSegment(db: Db, key: SegmentKey, afterSeq = 0): Promise<StoredSegment | undefined> {
  const rows = await sql<{ snapshot: Uint8Array | null; snapshot_seq: number; seq: number | null; update: Uint8Array | null }>`
    select s.snapshot_seq, case when ${afterSeq} < s.snapshot_seq then s.snapshot end as snapshot, u.seq, u.update
    from segments s
    left join segment_updates u
      on u.conversation_id = s.conversation_id and u.segment = s.segment and u.seq > greatest(s.snapshot_seq, ${afterSeq})
    where s.conversation_id = ${key.conversationId} and s.segment = ${key.segment}
    order by u.seq`.execute(db);
  const first = rows.rows[0];
  if (!first) return undefined;
  return {
    snapshot: first.snapshot,
    snapshotSeq: Number(first.snapshot_seq),
    updates: rows.rows.filter((r) => r.seq !== null).map((r) => ({ seq: Number(r.seq), update: r.update as Uint8Array })),
  };
}

export async function appendUpdates(
  db: Db,
  key: SegmentKey,
  rows: { seq: number; update: Uint8Array; deviceId: string }[],
  lastSeq: number,
) {
  if (rows.length === 0) return;
  await db
    .insertInto('segment_updates')
    .values(
      rows.map((r) => ({ conversation_id: key.conversationId, segment: key.segment, seq: r.seq, update: r.update, device_id: r.deviceId })),
    )
    .execute();
  await db
    .updateTable('segments')
    .set({ last_seq: lastSeq, updated_at: new Date() })
    .where('conversation_id', '=', key.conversationId)
    .where('segment', '=', key.segment)
    .execute();
}

/** Which device first wrote with each Yjs client ID in this segment. */
export async function findClientOwners(db: Db, key: SegmentKey): Promise<Map<number, string>> {
  const rows = await db
    .selectFrom('segment_clients')
    .select(['client_id', 'device_id'])
    .where('conversation_id', '=', key.conversationId)
    .where('segment', '=', key.segment)
    .execute();
  return new Map(rows.map((r) => [Number(r.client_id), r.device_id]));
}

export async function insertClientOwners(db: Db, key: SegmentKey, clients: number[], deviceId: string) {
  if (clients.length === 0) return;
  await db
    .insertInto('segment_clients')
    .values(clients.map((c) => ({ conversation_id: key.conversationId, segment: key.segment, client_id: c, device_id: deviceId })))
    .execute();
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

import { sql } from 'kysely';
import type { Db } from '../../db/connect.js';
import type { MessageRow } from '../../db/tables.js';

// Change feeds page by (txid, id): the id of the transaction that last wrote a message row,
// then the row's id. A transaction id is taken when the transaction first writes, not when
// it commits, so a slow writer can commit rows *behind* rows a reader has already passed.
// Every read is therefore bounded by the horizon, pg_snapshot_xmin(pg_current_snapshot()):
// the oldest transaction still running. Everything below it has finished (committed or
// aborted) and every later writer gets a larger id, so the feed below the horizon never grows.

/** A position in the feed; xid8 values travel as decimal strings (they are 64-bit). */
export type FeedPosition = { txid: string; id: string };

export type ChangedMessageRow = MessageRow & {
  /** True when the message was created after the position the page starts from. */
  created_after: boolean;
};

/**
 * The feed's horizon: the oldest transaction still running (pg_snapshot_xmin of the current
 * snapshot). Read it *before* reading a page: a page bounded by an older horizon is still
 * complete below it, whereas a horizon read later may have moved past rows the page missed.
 */
export async function findFeedHorizon(db: Db): Promise<string> {
  const { rows } = await sql<{ xmin: string }>`select pg_snapshot_xmin(pg_current_snapshot())::text as xmin`.execute(db);
  const xmin = rows[0]?.xmin;
  if (xmin === undefined) throw new Error('pg_snapshot_xmin returned no row');
  return xmin;
}

/**
 * Message rows of the conversations `userId` is a member of now, strictly after `after` and
 * strictly below the transaction id `below`, in (txid, id) order; with `since`, only rows
 * whose changed_at is at or after it.
 */
export async function listChangedMessages(
  db: Db,
  userId: string,
  page: { after: FeedPosition; below: string; since?: Date; limit: number },
): Promise<ChangedMessageRow[]> {
  const after = sql`(${page.after.txid}::xid8, ${page.after.id}::uuid)`;
  let query = db
    .selectFrom('messages as m')
    .innerJoin('conversation_members as cm', (join) =>
      join.onRef('cm.conversation_id', '=', 'm.conversation_id').on('cm.user_id', '=', userId),
    )
    .select([
      'm.id',
      'm.conversation_id',
      'm.segment',
      'm.author_id',
      'm.created_at',
      'm.text',
      'm.reply_to',
      'm.edited_at',
      'm.deleted',
      'm.reactions',
      'm.versions',
      'm.changed_at',
      sql<string>`m.txid::text`.as('txid'),
      sql<string>`m.created_txid::text`.as('created_txid'),
      sql<boolean>`(m.created_txid, m.id) > ${after}`.as('created_after'),
    ])
    .where(sql<boolean>`(m.txid, m.id) > ${after}`)
    .where(sql<boolean>`m.txid < ${page.below}::xid8`);
  if (page.since) query = query.where('m.changed_at', '>=', page.since);
  return query.orderBy('m.txid').orderBy('m.id').limit(page.limit).execute();
}

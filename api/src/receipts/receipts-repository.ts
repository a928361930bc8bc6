import { sql } from 'kysely';
import type { Db } from '../db/connect.js';
import type { MemberRow, ReceiptRow } from '../db/tables.js';

// Watermarks are message positions (created_at ms, id), compared exactly as Postgres compares
// the row (created_at, id): uuids order like their lower-case hex text. A member without a
// receipts row, or with a null id, is at (0, nil): before every message.

const NIL_UUID = '00000000-0000-0000-0000-000000000000';

/** A message's place in display order, and who wrote it. */
export type MessagePosition = { id: string; created_at: number; author_id: string };

/** A current member and their watermarks (zero when they have no receipts row yet). */
export type MemberReceipt = Pick<MemberRow, 'user_id' | 'joined_at'> &
  Pick<ReceiptRow, 'delivered_at' | 'delivered_id' | 'read_at' | 'read_id'>;

/** The position of message `messageId` if it belongs to `conversationId`. */
export async function findMessagePosition(db: Db, conversationId: string, messageId: string): Promise<MessagePosition | undefined> {
  return db
    .selectFrom('messages')
    .select(['id', 'created_at', 'author_id'])
    .where('id', '=', messageId)
    .where('conversation_id', '=', conversationId)
    .executeTakeFirst();
}

/** Creates the member's receipts row if missing, then locks it for the rest of the transaction. */
export async function lockReceipt(db: Db, conversationId: string, userId: string): Promise<ReceiptRow> {
  await db
    .insertInto('receipts')
    .values({ conversation_id: conversationId, user_id: userId })
    .onConflict((oc) => oc.columns(['conversation_id', 'user_id']).doNothing())
    .execute();
  return db
    .selectFrom('receipts')
    .selectAll()
    .where('conversation_id', '=', conversationId)
    .where('user_id', '=', userId)
    .forUpdate()
    .executeTakeFirstOrThrow();
}

export async function updateReceipt(
  db: Db,
  row: Pick<ReceiptRow, 'conversation_id' | 'user_id' | 'delivered_at' | 'delivered_id' | 'read_at' | 'read_id'>,
): Promise<void> {
  await db
    .updateTable('receipts')
    .set({ delivered_at: row.delivered_at, delivered_id: row.delivered_id, read_at: row.read_at, read_id: row.read_id })
    .where('conversation_id', '=', row.conversation_id)
    .where('user_id', '=', row.user_id)
    .execute();
}

/** The conversation's current members in join order, each with their watermarks. */
export async function listMemberReceipts(db: Db, conversationId: string): Promise<MemberReceipt[]> {
  return db
    .selectFrom('conversation_members as m')
    .leftJoin('receipts as r', (j) => j.onRef('r.conversation_id', '=', 'm.conversation_id').onRef('r.user_id', '=', 'm.user_id'))
    .select([
      'm.user_id',
      'm.joined_at',
      sql<number>`coalesce(r.delivered_at, 0)`.as('delivered_at'),
      'r.delivered_id',
      sql<number>`coalesce(r.read_at, 0)`.as('read_at'),
      'r.read_id',
    ])
    .where('m.conversation_id', '=', conversationId)
    .orderBy('m.joined_at')
    .orderBy('m.user_id')
    .execute();
}

/** Messages by others after the user's read watermark, not deleted. */
export async function countUnread(db: Db, conversationId: string, userId: string): Promise<number> {
  const row = await db
    .selectFrom('messages as msg')
    .leftJoin('receipts as r', (j) => j.onRef('r.conversation_id', '=', 'msg.conversation_id').on('r.user_id', '=', userId))
    .select((eb) => eb.fn.countAll<string>().as('n'))
    .where('msg.conversation_id', '=', conversationId)
    .where('msg.author_id', '<>', userId)
    .where('msg.deleted', '=', false)
    .where(sql<boolean>`(msg.created_at, msg.id) > (coalesce(r.read_at, 0), coalesce(r.read_id, ${NIL_UUID}::uuid))`)
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

/** Sets both watermarks of these members to the message `at` (creating their receipts rows). */
export async function startReceiptsAt(
  db: Db,
  conversationId: string,
  userIds: readonly string[],
  newest: { id: string; created_at: number },
): Promise<void> {
  const at = { delivered_at: newest.created_at, delivered_id: newest.id, read_at: newest.created_at, read_id: newest.id };
  await db
    .insertInto('receipts')
    .values(userIds.map((userId) => ({ conversation_id: conversationId, user_id: userId, ...at })))
    .onConflict((oc) => oc.columns(['conversation_id', 'user_id']).doUpdateSet(at))
    .execute();
}

import { sql } from 'kysely';
import type { Db } from '../db/connect.js';
import type { MessageRow } from '../db/tables.js';

// Reads of the `messages` projection for plain (non-Yjs) clients. The projection is written
// only by the push service, in the same transaction as the updates it projects, so every
// read here sees committed document state.

/** A (createdAt ms, message id) pair: a position in display order. */
export type MessageKey = [createdAt: number, id: string];

export async function findMessage(db: Db, id: string): Promise<MessageRow | undefined> {
  return db.selectFrom('messages').selectAll().where('id', '=', id).executeTakeFirst();
}

/** The messages with these ids (unknown ones left out, any order). */
export async function findMessagesByIds(db: Db, ids: readonly string[]): Promise<MessageRow[]> {
  if (ids.length === 0) return [];
  return db.selectFrom('messages').selectAll().where('id', 'in', ids).execute();
}

/** The conversation's last message in display order (undefined when it has none yet). */
export async function findNewestMessage(db: Db, conversationId: string): Promise<Pick<MessageRow, 'id' | 'created_at'> | undefined> {
  return db
    .selectFrom('messages')
    .select(['id', 'created_at'])
    .where('conversation_id', '=', conversationId)
    .orderBy('created_at', 'desc')
    .orderBy('id', 'desc')
    .limit(1)
    .executeTakeFirst();
}

/**
 * A page of the conversation's messages in (created_at, id) order, keyset-paginated;
 * `inverted` reads from the newest end (for `last`), newest first.
 */
export async function listConversationMessages(
  db: Db,
  conversationId: string,
  page: { after?: MessageKey; before?: MessageKey; limit: number; inverted: boolean },
): Promise<MessageRow[]> {
  let q = db.selectFrom('messages').selectAll().where('conversation_id', '=', conversationId);
  if (page.after) q = q.where(sql<boolean>`(created_at, id) > (${page.after[0]}, ${page.after[1]}::uuid)`);
  if (page.before) q = q.where(sql<boolean>`(created_at, id) < (${page.before[0]}, ${page.before[1]}::uuid)`);
  const dir = page.inverted ? 'desc' : 'asc';
  return q.orderBy('created_at', dir).orderBy('id', dir).limit(page.limit).execute();
}

import type { Message } from '@mailboat/schema';
import { sql } from 'kysely';
import type { Db } from '../db/connect.js';

/**
 * Writes the current state of these messages to the projection. A changed row gets the
 * writing transaction's id and time, which is what change feeds page by.
 */
export async function upsertMessages(
  db: Db,
  conversationId: string,
  segment: number,
  messages: (Message & { authorId: string })[],
): Promise<void> {
  if (messages.length === 0) return;
  await db
    .insertInto('messages')
    .values(
      messages.map((m) => ({
        id: m.id,
        conversation_id: conversationId,
        segment,
        author_id: m.authorId,
        created_at: m.createdAt,
        text: m.text,
        reply_to: m.replyTo,
        edited_at: m.editedAt,
        deleted: m.deleted,
        reactions: JSON.stringify(m.reactions),
      })),
    )
    .onConflict((oc) =>
      oc
        .column('id')
        .doUpdateSet((eb) => ({
          text: eb.ref('excluded.text'),
          edited_at: eb.ref('excluded.edited_at'),
          deleted: eb.ref('excluded.deleted'),
          reactions: eb.ref('excluded.reactions'),
          txid: sql<string>`pg_current_xact_id()`,
          changed_at: sql<Date>`now()`,
        }))
        // A message id belongs to one conversation and segment for good: never let another overwrite it.
        .where(sql<boolean>`messages.conversation_id = excluded.conversation_id and messages.segment = excluded.segment`)
        // Only a real change moves the message in the change feeds.
        .where(
          sql<boolean>`(messages.text, messages.edited_at, messages.deleted, messages.reactions) is distinct from (excluded.text, excluded.edited_at, excluded.deleted, excluded.reactions)`,
        ),
    )
    .execute();
}

/** Which of these message ids are already taken (by any conversation or segment). */
export async function findTakenMessageIds(db: Db, ids: readonly string[]): Promise<Set<string>> {
  if (ids.length === 0) return new Set();
  const rows = await db.selectFrom('messages').select('id').where('id', 'in', ids).execute();
  return new Set(rows.map((r) => r.id));
}

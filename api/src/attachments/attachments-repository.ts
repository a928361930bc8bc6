import type { Insertable } from 'kysely';
import { sql } from 'kysely';
import type { Db } from '../db/connect.js';
import type { AttachmentRow, AttachmentsTable } from '../db/tables.js';

/** Starts an upload's row; false when the id exists already (the caller reads that row instead). */
export async function insertAttachment(
  db: Db,
  row: Pick<Insertable<AttachmentsTable>, 'id' | 'conversation_id' | 'uploader_id' | 'name' | 'size' | 'upload_id'>,
): Promise<boolean> {
  const inserted = await db
    .insertInto('attachments')
    .values(row)
    .onConflict((c) => c.column('id').doNothing())
    .returning('id')
    .execute();
  return inserted.length === 1;
}

/** Bytes of the user's uploads no message names yet (started or completed, not deleted). */
export async function unsentBytesOf(db: Db, userId: string): Promise<number> {
  const row = await db
    .selectFrom('attachments')
    .select((s) => s.fn.coalesce(s.fn.sum<number>('size'), sql<number>`0`).as('bytes'))
    .where('uploader_id', '=', userId)
    .where('message_id', 'is', null)
    .where('deleted_at', 'is', null)
    .executeTakeFirst();
  return Number(row?.bytes ?? 0);
}

export async function findAttachment(db: Db, id: string): Promise<AttachmentRow | undefined> {
  return db.selectFrom('attachments').selectAll().where('id', '=', id).executeTakeFirst();
}

export async function findAttachments(db: Db, ids: readonly string[]): Promise<AttachmentRow[]> {
  if (ids.length === 0) return [];
  return db.selectFrom('attachments').selectAll().where('id', 'in', ids).execute();
}

/** Records what a completed upload is; its multipart upload is over. */
export async function markCompleted(
  db: Db,
  id: string,
  facts: Pick<AttachmentRow, 'content_type' | 'width' | 'height' | 'stored_bytes' | 'thumbnail_bytes'>,
): Promise<AttachmentRow | undefined> {
  return db
    .updateTable('attachments')
    .set({ ...facts, upload_id: null, completed_at: sql<Date>`now()` })
    .where('id', '=', id)
    .returningAll()
    .executeTakeFirst();
}

/** What the push checks need of an upload a new message names. */
export type LinkableAttachment = Pick<AttachmentRow, 'uploader_id' | 'conversation_id' | 'message_id' | 'size' | 'content_type'> & {
  completed: boolean;
  deleted: boolean;
};

/** What the push checks judge of an upload row. */
export function linkableOf(r: AttachmentRow): LinkableAttachment {
  return {
    uploader_id: r.uploader_id,
    conversation_id: r.conversation_id,
    message_id: r.message_id,
    size: r.size,
    content_type: r.content_type,
    completed: r.completed_at !== null,
    deleted: r.deleted_at !== null,
  };
}

/** The uploads with these ids, for the push checks, by id. */
export async function findAttachmentsToLink(db: Db, ids: readonly string[]): Promise<Map<string, LinkableAttachment>> {
  return new Map((await findAttachments(db, ids)).map((r) => [r.id, linkableOf(r)]));
}

/**
 * Links uploads to the messages naming them, in one statement: only rows not linked yet (or
 * linked to that same message). Returns the ids linked.
 */
export async function linkAttachments(
  db: Db,
  links: readonly { id: string; messageId: string; position: number; thumbhash: string | null }[],
): Promise<Set<string>> {
  if (links.length === 0) return new Set();
  const rows = await sql<{ id: string }>`
    update attachments a set message_id = l."messageId", position = l.position, thumbhash = l.thumbhash
    from json_to_recordset(${JSON.stringify(links)}::json) as l(id uuid, "messageId" uuid, position integer, thumbhash text)
    where a.id = l.id and (a.message_id is null or a.message_id = l."messageId")
    returning a.id`.execute(db);
  return new Set(rows.rows.map((r) => r.id));
}

/** Marks the attachments of these (deleted) messages deleted; returns how many it marked. */
export async function markDeletedWithMessages(db: Db, messageIds: readonly string[]): Promise<number> {
  if (messageIds.length === 0) return 0;
  const rows = await db
    .updateTable('attachments')
    .set({ deleted_at: sql<Date>`now()` })
    .where('message_id', 'in', messageIds)
    .where('deleted_at', 'is', null)
    .returning('id')
    .execute();
  return rows.length;
}

/**
 * The attachment, when `userId` may read it: a member of its conversation, it is complete and
 * not deleted, and a message names it (or `userId` uploaded it).
 */
export async function findReadableAttachment(db: Db, id: string, userId: string): Promise<AttachmentRow | undefined> {
  return db
    .selectFrom('attachments as a')
    .innerJoin('conversation_members as m', (j) => j.onRef('m.conversation_id', '=', 'a.conversation_id').on('m.user_id', '=', userId))
    .selectAll('a')
    .where('a.id', '=', id)
    .where('a.completed_at', 'is not', null)
    .where('a.deleted_at', 'is', null)
    .where((w) => w.or([w('a.message_id', 'is not', null), w('a.uploader_id', '=', userId)]))
    .executeTakeFirst();
}

/** The live attachments of these messages, in each message's order. */
export async function listForMessages(db: Db, messageIds: readonly string[]): Promise<AttachmentRow[]> {
  if (messageIds.length === 0) return [];
  return db
    .selectFrom('attachments')
    .selectAll()
    .where('message_id', 'in', messageIds)
    .where('deleted_at', 'is', null)
    .orderBy('message_id')
    .orderBy('position')
    .execute();
}

/** Rows whose objects should go: deleted with their message, or named by none though completed (or started, if never completed) before `orphanBefore`. */
export async function listSweepable(db: Db, orphanBefore: Date, limit: number): Promise<AttachmentRow[]> {
  return db
    .selectFrom('attachments')
    .selectAll()
    .where((w) =>
      w.or([
        w('deleted_at', 'is not', null),
        w.and([w('message_id', 'is', null), w(w.fn.coalesce('completed_at', 'created_at'), '<', orphanBefore)]),
      ]),
    )
    .orderBy('created_at')
    .limit(limit)
    .execute();
}

/** Removes rows, unless a message was linked to one meanwhile (then it is not an orphan any more); returns the ids removed. */
export async function deleteSwept(db: Db, ids: readonly string[]): Promise<Set<string>> {
  if (ids.length === 0) return new Set();
  const rows = await db
    .deleteFrom('attachments')
    .where('id', 'in', ids)
    .where((w) => w.or([w('deleted_at', 'is not', null), w('message_id', 'is', null)]))
    .returning('id')
    .execute();
  return new Set(rows.map((r) => r.id));
}

export async function deleteAttachment(db: Db, id: string): Promise<void> {
  await db.deleteFrom('attachments').where('id', '=', id).execute();
}

import type { MessageRow } from '../db/tables.js';

/**
 * One version of a message's text as the API shows it (GraphQL `Message.versions`, REST
 * `versions`). `editedAt` is null for the text the message was created with (its time is the
 * message's createdAt) and otherwise when this version was written; the current version's
 * `editedAt` is always the message's. `deviceId` is the device that wrote it, when known:
 * callers show it to the author only.
 */
export type MessageVersionView = { text: string; editedAt: number | null; isCurrent: boolean; deviceId: string | null };

/** Every version of the message's text, oldest first, the last one current; none for a deleted message. */
export function messageVersions(row: Pick<MessageRow, 'versions' | 'created_at' | 'edited_at' | 'deleted'>): MessageVersionView[] {
  if (row.deleted) return [];
  const last = row.versions.length - 1;
  const editedAt = row.edited_at === null ? null : Number(row.edited_at); // bigint: a string from some drivers
  return row.versions.map((v, i) => ({
    text: v.text,
    editedAt: i === last ? editedAt : i === 0 && Number(v.at) === Number(row.created_at) ? null : Number(v.at),
    isCurrent: i === last,
    deviceId: v.deviceId,
  }));
}

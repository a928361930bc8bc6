import { isInlineImageType, limits } from '@mailboat/schema';
import type { AttachmentRow } from '../db/tables.js';
import { notFound } from '../errors.js';
import type { Viewer } from '../viewer.js';
import type { AttachmentsDeps } from './attachments-deps.js';
import { findReadableAttachment, listForMessages } from './attachments-repository.js';
import { objectKey } from './storage/object-store.js';

export type AttachmentVariant = 'original' | 'thumbnail';

/** What a download sends: the bytes (of `range` when one was asked and satisfiable), the object's size, their type, and whether a browser may show them inline. */
export type Download = {
  row: AttachmentRow;
  body: AsyncIterable<Uint8Array>;
  size: number;
  range: { start: number; end: number } | null;
  contentType: string;
  inline: boolean;
};

/** A Range request's bytes as asked (`bytes=start-end`, `bytes=start-`, `bytes=-suffix`), before the size is known. */
export type AskedRange = { start: number | null; end: number | null };

/** Thrown for a range outside the object: answer 416 with `size`. */
export class RangeNotSatisfiable extends Error {
  constructor(readonly size: number) {
    super('range not satisfiable');
  }
}

/** The inclusive byte range `asked` names in an object of `size` bytes; throws RangeNotSatisfiable when none. */
function resolveRange(asked: AskedRange, size: number): { start: number; end: number } {
  const start = asked.start ?? Math.max(0, size - (asked.end ?? 0));
  const end = asked.start === null ? size - 1 : Math.min(asked.end ?? size - 1, size - 1);
  if (size === 0 || start > end || start >= size || (asked.start === null && asked.end === 0)) throw new RangeNotSatisfiable(size);
  return { start, end };
}

/**
 * Opens an attachment for the viewer: a member of its conversation, of an attachment a
 * message names (or the viewer's own upload), not deleted. Throws NOT_FOUND otherwise, the
 * same for "none" and "not yours". A thumbnail exists only for images the server could read.
 */
export async function openDownload(
  deps: AttachmentsDeps,
  viewer: Viewer,
  id: string,
  variant: AttachmentVariant,
  asked: AskedRange | null = null,
): Promise<Download> {
  const row = await findReadableAttachment(deps.db, id, viewer.userId);
  if (!row || (variant === 'thumbnail' && row.thumbnail_bytes === null)) throw notFound('Attachment');
  const stored = (variant === 'thumbnail' ? row.thumbnail_bytes : row.stored_bytes) ?? row.size;
  const range = asked ? resolveRange(asked, stored) : null;
  const object = await deps.attachments.store.read(objectKey(id, variant), range ?? undefined);
  if (!object) throw notFound('Attachment');
  const contentType = variant === 'thumbnail' ? 'image/webp' : (row.content_type as string);
  return { row, body: object.body, size: object.size, range, contentType, inline: isInlineImageType(contentType) };
}

/** Where an attachment's bytes are fetched (an authorized GET on this API): the original, and the thumbnail when there is one. */
export function attachmentUrls(row: Pick<AttachmentRow, 'id' | 'thumbnail_bytes'>): { url: string; thumbnailUrl: string | null } {
  return { url: `/attachments/${row.id}`, thumbnailUrl: row.thumbnail_bytes === null ? null : `/attachments/${row.id}/thumbnail` };
}

/** The attachments of each message (in order), for the messages the caller may already read. */
export async function attachmentsOfMessages(deps: Pick<AttachmentsDeps, 'db'>, messageIds: readonly string[]): Promise<AttachmentRow[][]> {
  const rows = await listForMessages(deps.db, messageIds);
  const byMessage = new Map<string, AttachmentRow[]>(messageIds.map((id) => [id, []]));
  for (const row of rows) byMessage.get(row.message_id as string)?.push(row);
  return messageIds.map((id) => byMessage.get(id) ?? []);
}

/** The limits a client checks before uploading: this server's settings, and the contract's own. */
export function attachmentLimitsOf(deps: Pick<AttachmentsDeps, 'config'>) {
  return {
    maxFileBytes: deps.config.attachmentMaxBytes,
    maxMessageBytes: deps.config.attachmentMessageMaxBytes,
    maxPerMessage: limits.attachments.perMessage,
    partBytes: limits.attachments.partBytes,
  };
}

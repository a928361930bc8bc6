import { isInlineImageType } from '@mailboat/schema';
import type { AttachmentRow } from '../db/tables.js';
import { notFound } from '../errors.js';
import type { Viewer } from '../viewer.js';
import type { AttachmentsDeps } from './attachments-deps.js';
import { findReadableAttachment, listForMessages } from './attachments-repository.js';
import { objectKey } from './storage/object-store.js';

export type AttachmentVariant = 'original' | 'thumbnail';

/** What a download sends: the bytes, their type, and whether a browser may show them inline. */
export type Download = { row: AttachmentRow; body: AsyncIterable<Uint8Array>; size: number; contentType: string; inline: boolean };

/**
 * Opens an attachment for the viewer: a member of its conversation, of an attachment a
 * message names (or the viewer's own upload), not deleted. Throws NOT_FOUND otherwise, the
 * same for "none" and "not yours". A thumbnail exists only for images the server could read.
 */
export async function openDownload(deps: AttachmentsDeps, viewer: Viewer, id: string, variant: AttachmentVariant): Promise<Download> {
  const row = await findReadableAttachment(deps.db, id, viewer.userId);
  if (!row || (variant === 'thumbnail' && row.thumbnail_bytes === null)) throw notFound('Attachment');
  const object = await deps.attachments.store.read(objectKey(id, variant));
  if (!object) throw notFound('Attachment');
  const contentType = variant === 'thumbnail' ? 'image/webp' : (row.content_type as string);
  return { row, body: object.body, size: object.size, contentType, inline: isInlineImageType(contentType) };
}

/** The attachments of each message (in order), for the messages the caller may already read. */
export async function attachmentsOfMessages(deps: Pick<AttachmentsDeps, 'db'>, messageIds: readonly string[]): Promise<AttachmentRow[][]> {
  const rows = await listForMessages(deps.db, messageIds);
  const byMessage = new Map<string, AttachmentRow[]>(messageIds.map((id) => [id, []]));
  for (const row of rows) byMessage.get(row.message_id as string)?.push(row);
  return messageIds.map((id) => byMessage.get(id) ?? []);
}

/** The limits a client checks before uploading. */
export function attachmentLimitsOf(deps: Pick<AttachmentsDeps, 'config'>) {
  return {
    maxFileBytes: deps.config.attachmentMaxBytes,
    maxMessageBytes: deps.config.attachmentMessageMaxBytes,
  };
}

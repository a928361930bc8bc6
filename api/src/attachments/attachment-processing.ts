import { ErrorCode, isInlineImageType } from '@mailboat/schema';
import { SNIFF_BYTES, sniffContentType } from '@mailboat/schema/sniff';
import type { AttachmentRow } from '../db/tables.js';
import { AppError } from '../errors.js';
import { isAllowedType } from './allowed-types.js';
import type { AttachmentsDeps } from './attachments-deps.js';
import { deleteAttachment, findAttachment, markCompleted } from './attachments-repository.js';
import { processImage } from './images.js';
import { objectKey } from './storage/object-store.js';

/**
 * Turns a fully uploaded file into a ready attachment: joins its parts, sniffs its type from
 * the bytes (never the name), refuses a type the settings do not allow (deleting the bytes
 * and the row: ATTACHMENT_TYPE_NOT_ALLOWED), and for an inline image re-encodes it without
 * metadata (ATTACHMENT_STRIP_METADATA) and stores a thumbnail; an image it cannot read is
 * refused the same way while metadata is stripped (its location could not be removed). Resolves with the completed row.
 */
export function finishUpload(deps: AttachmentsDeps, row: AttachmentRow): Promise<AttachmentRow> {
  // A repeated complete while one runs in this process waits for it instead of redoing it.
  const running = deps.attachments.completing;
  const existing = running.get(row.id);
  if (existing) return existing;
  const done = finish(deps, row).finally(() => running.delete(row.id));
  running.set(row.id, done);
  return done;
}

async function finish(deps: AttachmentsDeps, row: AttachmentRow): Promise<AttachmentRow> {
  const { store } = deps.attachments;
  const key = objectKey(row.id, 'original');
  try {
    await store.completeUpload(key, row.upload_id as string);
  } catch (e) {
    const now = await findAttachment(deps.db, row.id); // another node may have completed it
    if (now?.completed_at) return now;
    throw e;
  }
  const type = await sniffContentType((await store.head(key, SNIFF_BYTES)) ?? new Uint8Array());
  if (!isAllowedType(deps.config.attachmentAllowedTypes, type)) {
    await store.delete([key]);
    await deleteAttachment(deps.db, row.id);
    throw new AppError(ErrorCode.ATTACHMENT_TYPE_NOT_ALLOWED, `Files of type ${type} are not accepted here`, { contentType: type });
  }
  const facts = { content_type: type, width: null, height: null, stored_bytes: row.size, thumbnail_bytes: null } as Pick<
    AttachmentRow,
    'content_type' | 'width' | 'height' | 'stored_bytes' | 'thumbnail_bytes'
  >;
  if (isInlineImageType(type)) {
    const image = await processImage(await readAll(deps, key), { reencode: deps.config.attachmentStripMetadata });
    if (!image && deps.config.attachmentStripMetadata) {
      // Its metadata (a location) cannot be stripped from an image that cannot be read: refuse it.
      await store.delete([key]);
      await deleteAttachment(deps.db, row.id);
      throw new AppError(ErrorCode.ATTACHMENT_TYPE_NOT_ALLOWED, `This ${type} image could not be read`, { contentType: type });
    }
    if (image) {
      await store.put(objectKey(row.id, 'thumbnail'), image.thumbnail, 'image/webp');
      if (image.original) await store.put(key, image.original, type);
      Object.assign(facts, {
        width: image.width,
        height: image.height,
        stored_bytes: image.original?.byteLength ?? row.size,
        thumbnail_bytes: image.thumbnail.byteLength,
      });
    }
  }
  const done = await markCompleted(deps.db, row.id, facts);
  if (!done) throw new AppError(ErrorCode.NOT_FOUND, 'Attachment not found');
  return done;
}

async function readAll(deps: AttachmentsDeps, key: string): Promise<Uint8Array> {
  const object = await deps.attachments.store.read(key);
  if (!object) throw new Error(`${key} vanished after its upload completed`);
  const chunks: Uint8Array[] = [];
  for await (const chunk of object.body) chunks.push(chunk);
  return Buffer.concat(chunks);
}

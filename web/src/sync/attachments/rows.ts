import { type AttachmentRef, encodeGlobalId, isInlineImageType } from '@mailboat/schema';
import type { AttachmentUpload, ChatAttachment } from '../../app/model.js';

const NONE: ChatAttachment[] = Object.freeze([]) as unknown as ChatAttachment[];

/**
 * A message's attachments as its row shows them: the document's refs, in order, each with
 * this device's upload of it (`uploads[i]`, null when none). ChatAttachment.id is the API's
 * global id of the ref's id (att_…, as the API's Attachment.id), which attachmentUrl takes.
 */
export function chatAttachments(refs: readonly AttachmentRef[], uploads: readonly (AttachmentUpload | null)[]): ChatAttachment[] {
  if (refs.length === 0) return NONE;
  return refs.map((ref, i) => ({
    id: encodeGlobalId('Attachment', ref.id),
    name: ref.name,
    type: ref.type,
    size: ref.size,
    width: ref.width ?? null,
    height: ref.height ?? null,
    thumbhash: ref.thumbhash ?? null,
    inline: isInlineImageType(ref.type),
    upload: uploads[i] ?? null,
  }));
}

/** Whether two rows' attachments say the same (upload states compared by identity: they are kept while unchanged). */
export function sameAttachments(a: readonly ChatAttachment[], b: readonly ChatAttachment[]): boolean {
  return (
    a === b ||
    (a.length === b.length &&
      a.every((x, i) => {
        const y = b[i];
        return (
          y !== undefined &&
          x.id === y.id &&
          x.name === y.name &&
          x.type === y.type &&
          x.size === y.size &&
          x.width === y.width &&
          x.height === y.height &&
          x.thumbhash === y.thumbhash &&
          x.upload === y.upload
        );
      }))
  );
}

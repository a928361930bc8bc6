import type { ChatAttachment } from '../app/model.js';

/** How far an upload got, 0..1. */
export function uploadFraction(attachment: Pick<ChatAttachment, 'size' | 'upload'>): number {
  const sent = attachment.upload?.sentBytes ?? attachment.size;
  return attachment.size > 0 ? Math.min(1, Math.max(0, sent / attachment.size)) : 1;
}

/** The attachments of a message still on their way up (waiting or uploading), and those refused. */
export function uploadsOf(attachments: readonly ChatAttachment[]): { active: ChatAttachment[]; failed: ChatAttachment[] } {
  const active: ChatAttachment[] = [];
  const failed: ChatAttachment[] = [];
  for (const a of attachments) {
    if (a.upload?.state === 'failed') failed.push(a);
    else if (a.upload) active.push(a);
  }
  return { active, failed };
}

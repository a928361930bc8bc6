import type { ChatAttachment } from '../app/model.js';

/**
 * A line that stands for a message's attachments where its caption would be (a reply quote of
 * a photo with no caption): "Photo", "3 photos", "report.pdf", "2 photos and 1 file"; "" for none.
 */
export function attachmentSummary(attachments: readonly Pick<ChatAttachment, 'name' | 'inline'>[]): string {
  const photos = attachments.filter((a) => a.inline).length;
  const files = attachments.length - photos;
  if (attachments.length === 0) return '';
  if (attachments.length === 1) return photos === 1 ? 'Photo' : (attachments[0]?.name ?? '');
  const parts = [];
  if (photos > 0) parts.push(photos === 1 ? '1 photo' : `${photos} photos`);
  if (files > 0) parts.push(files === 1 ? '1 file' : `${files} files`);
  const line = parts.join(' and ');
  return line.charAt(0).toUpperCase() + line.slice(1);
}

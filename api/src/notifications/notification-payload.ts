import { createHash } from 'node:crypto';
import { encodeGlobalId } from '../global-ids.js';
import type { ClaimedJob } from './notifications-repository.js';

/**
 * What a notification says (the contract of issue 17, read by the service worker). The push
 * service and the lock screen see it once decrypted on the device, so without the recipient's
 * show_message_text it names neither the sender nor the text.
 */
export type NotificationPayload = {
  v: 1;
  kind: 'message';
  conversationId: string;
  /** The newest unread message it stands for. */
  messageId: string;
  title: string;
  body: string;
  /** The unread messages from others in the conversation: what this notification (which replaces earlier ones) stands for. */
  count: number;
  /** The recipient's conversations with unread messages, for the app badge. */
  unreadConversations: number;
  sentAt: number;
};

export const BODY_MAX_CHARS = 240;
const TITLE_MAX_CHARS = 100;

/** `text` cut to `max` characters (code points), with an ellipsis when cut. */
export function cut(text: string, max: number): string {
  const chars = [...text];
  return chars.length <= max ? text : `${chars.slice(0, max - 1).join('')}…`;
}

/** The payload of a claimed job that has an unread message (job.message_id set). */
export function notificationPayload(job: ClaimedJob, now = Date.now()): NotificationPayload {
  const count = Math.max(1, job.unread);
  const sender = job.sender_name ?? 'Someone';
  let title = 'Mailboat';
  let body = count > 1 ? `${count} new messages` : 'New message';
  if (job.show_message_text) {
    title = job.kind === 'group' && job.conversation_title ? `${sender} in ${job.conversation_title}` : sender;
    body = cut(withFiles(job.message_text ?? '', job.message_files), BODY_MAX_CHARS) || body;
  }
  return {
    v: 1,
    kind: 'message',
    conversationId: encodeGlobalId('Conversation', job.conversation_id),
    messageId: encodeGlobalId('Message', job.message_id as string),
    title: cut(title, TITLE_MAX_CHARS),
    body,
    count,
    unreadConversations: job.unread_conversations,
    sentAt: now,
  };
}

/**
 * A message's text as a notification shows it with its files: "📷 Photo", "📷 3 photos",
 * "📎 report.pdf", "📎 2 files" without a caption; the caption after the sign with one.
 */
function withFiles(text: string, files: ClaimedJob['message_files']): string {
  if (!files || files.count === 0) return text;
  const photos = files.images === files.count;
  const sign = photos ? '📷' : '📎';
  if (text) return `${sign} ${text}`;
  if (files.count === 1) return photos ? `${sign} Photo` : `${sign} ${files.first}`;
  return `${sign} ${files.count} ${photos ? 'photos' : 'files'}`;
}

/** The RFC 8030 Topic of a conversation's notifications: 32 base64url characters of a hash of its id. */
export function topicOf(conversationId: string): string {
  return createHash('sha256').update(conversationId).digest('base64url').slice(0, 32);
}

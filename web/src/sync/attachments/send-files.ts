import { type AttachmentRef, ErrorCode } from '@mailboat/schema';
import { ClientError } from '../../app/model.js';
import type { Account } from '../account.js';
import { type LocalWriter, validCaption } from '../local-writes.js';
import { checkFiles, publicLimits } from './limits.js';
import { prepareFile } from './prepare.js';
import type { PendingUpload } from './records.js';

export type SendFilesContext = {
  account: Account;
  writer: LocalWriter;
  /** False once the account was closed or signed out meanwhile (nothing more is written then). */
  current: () => boolean;
  /** The server-corrected clock (ids are dated by it). */
  now: () => number;
};

/**
 * sendFiles (model.ts): checks the files against the server's limits and the caption against
 * the text rules before anything is read or written (ClientError BAD_USER_INPUT or
 * ATTACHMENT_TOO_LARGE), prepares each file (prepare.ts), stores their bytes and upload
 * records (one transaction), and only then writes the message with their refs through the
 * same local-write path as text: it shows at once, pending, and is pushed once its files
 * have uploaded (hold-back.ts). Resolves with the message's API id. Should the write itself
 * be refused, the stored files are dropped again.
 */
export async function sendFiles(
  ctx: SendFilesContext,
  conversationId: string,
  files: readonly File[],
  caption: string,
  replyTo?: string,
): Promise<string> {
  checkFiles(files, publicLimits(ctx.account.attachments.limits));
  const text = validCaption(caption);
  const prepared: { ref: AttachmentRef; blob: Blob }[] = [];
  // One at a time: decoding many large photos at once could exhaust a phone's memory.
  for (const file of files) prepared.push(await prepareFile(file, ctx.now()));
  const messageId = ctx.writer.newMessageId();
  const storedAt = Date.now();
  const stored = prepared.map(({ ref, blob }) => ({ record: uploadRecord(ref, conversationId, messageId, storedAt), blob }));
  if (!ctx.current()) throw signedOut();
  await ctx.account.attachments.add(stored, storedAt);
  const refs = prepared.map((p) => p.ref);
  try {
    if (!ctx.current()) throw signedOut();
    return ctx.writer.sendAttachments(conversationId, text, refs, messageId, replyTo);
  } catch (e) {
    await ctx.account.attachments.drop(refs.map((r) => r.id)).catch(() => undefined);
    throw e;
  }
}

function uploadRecord(ref: AttachmentRef, conversationId: string, messageId: string, createdAt: number): PendingUpload {
  const { id, name, type, size } = ref;
  return { id, conversationId, messageId, name, type, size, partsDone: [], sentBytes: 0, state: 'pending', createdAt };
}

const signedOut = () => new ClientError(ErrorCode.UNAUTHENTICATED, 'Signed out while the files were being prepared');

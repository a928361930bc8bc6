import { parseGlobalId } from '@mailboat/schema';
import type { Account } from '../account.js';
import { attachmentsOf } from './hold-back.js';

/**
 * Cancels an own message whose files have not all uploaded (cancelUpload): its upload
 * records are marked cancelled and their bytes dropped, and its queued writes leave the
 * outbox as cancelled (never shown again); the next flush rolls its segment back, as for a
 * refused write, and then forgets it and its records (replayed.ts). A message that already
 * failed is forgotten at once, as `dismiss` forgets it. Does nothing when the message is not
 * the viewer's, not on the device, or all its files have uploaded. `afterWrite` asks for the
 * flush.
 */
export function cancelUpload(account: Account, messageId: string, afterWrite: () => void): void {
  const id = parseGlobalId(messageId)?.id;
  if (!id) return;
  const queued = account.outbox.list().filter((e) => e.op.messageId === id);
  const failed = account.outbox.failed().filter((f) => f.op.messageId === id && !f.cancelled);
  const send = [...queued, ...failed].find((e) => e.op.kind === 'send');
  const files = send ? attachmentsOf(send) : [];
  if (!send || !files.some(account.attachments.notUploaded)) return;
  const log = (e: unknown) => console.error('Mailboat: could not drop the files of a cancelled message', e);
  account.outbox.forget(failed.map((f) => f.seq));
  if (queued.includes(send)) {
    for (const e of queued) account.outbox.cancel(e);
    account.attachments.cancel(files).catch(log);
    afterWrite();
  } else {
    account.attachments.drop(files).catch(log);
  }
  account.changed(send.conversationId);
}

import { attachmentsOf } from './attachments/hold-back.js';
import type { SyncContext } from './context.js';
import { isNetworkError } from './errors.js';
import type { FailedWrite } from './records.js';
import { rollBack } from './rollback.js';

/**
 * Takes in what the service worker did to the outbox while the app was closed or offline
 * (Outbox.reconcile): acknowledged writes show as sent, and the segments of writes it moved
 * aside as refused are rolled back here, as the app does for its own refusals. A rollback
 * that cannot reach the server rejects (NETWORK) and is tried again at the next flush; one
 * that fails otherwise is given up (logged), so it never holds up the outbox. Writes the
 * person cancelled (cancelUpload) are rolled back here too, then forgotten with their files.
 * Call it holding the outbox lock.
 */
export async function adoptReplayed(ctx: SyncContext): Promise<void> {
  const outbox = ctx.account.outbox;
  const bySegment = new Map<string, FailedWrite[]>();
  for (const f of await outbox.reconcile()) {
    const key = `${f.conversationId}#${f.segment}`;
    bySegment.set(key, [...(bySegment.get(key) ?? []), f]);
  }
  for (const refused of bySegment.values()) {
    const first = refused[0] as FailedWrite;
    try {
      if (ctx.account.segments.get(first.conversationId, first.segment)) await rollBack(ctx, refused, first.failure);
    } catch (e) {
      if (isNetworkError(e)) throw e;
      // Never let one rollback hold up the outbox: the writes still show as failed.
      console.error('Mailboat: could not roll back writes the service worker had refused', e);
    }
    outbox.rolledBack(refused.map((f) => f.seq));
    // Cancelled writes are gone from the documents now: forget them, and their files.
    const cancelled = refused.filter((f) => f.cancelled);
    outbox.forget(cancelled.map((f) => f.seq));
    await ctx.account.attachments.drop(cancelled.flatMap(attachmentsOf));
  }
}

import { ErrorCode } from '@mailboat/schema';
import * as Y from 'yjs';
import { pushableNow } from './attachments/hold-back.js';
import { refusedUploads } from './attachments/refused-uploads.js';
import { decodeBytes } from './bytes.js';
import type { SyncContext } from './context.js';
import { pushOutbox, pushUpdates, type SegmentRefusals } from './push-outbox.js';
import type { PushItem } from './push-plan.js';
import { refusalFailure } from './refusal.js';
import { adoptReplayed } from './replayed.js';
import { rollBack } from './rollback.js';

/**
 * The app's flush: takes in what the service worker replayed meanwhile (replayed.ts), then
 * pushes the outbox (push-outbox.ts), merging a segment's long backlog into one update. A
 * new message whose files have not all uploaded is held back, with what follows it in its
 * segment (attachments/hold-back.ts); one whose file the server refused is rolled back as a
 * refused write.
 * The app holds the documents, so it answers refusals itself: a refusal for good rolls the
 * segment back (rollback.ts), and MISSING_DEPENDENCIES is answered by pushing what the
 * server lacks. Rejects on a network error with the entries still queued. Callers must not
 * run two flushes at once, and must hold the outbox lock (outbox-lock.ts).
 */
export async function flushOutbox(ctx: SyncContext): Promise<void> {
  await adoptReplayed(ctx);
  const { outbox, attachments } = ctx.account;
  await attachments.reconcile();
  for (const { entry, failure } of refusedUploads(outbox.list(), attachments.record)) {
    if (outbox.has(entry.seq)) await rollBack(ctx, [entry], failure);
  }
  await pushOutbox(ctx.api, outbox, {
    coalesce: true,
    pushable: (queued) => pushableNow(queued, attachments.notUploaded),
    answer: (refusals) => answerInApp(ctx, refusals),
  });
}

/**
 * Rolls the segment back for its first refused item: the rebuilt document keeps the writes
 * queued behind it that still apply, and those are pushed in the next round (a later refused
 * one is refused again then). A refused merged backlog is first pushed again write by write,
 * so only the write the server refuses fails. A segment with no refusal is repaired instead.
 */
async function answerInApp(ctx: SyncContext, { refused, missing }: SegmentRefusals): Promise<'retry' | 'unmerge' | 'leave'> {
  const [first] = refused;
  if (first && first.item.entries.length > 1) return 'unmerge';
  if (first) await rollBack(ctx, first.item.entries, refusalFailure(first.error));
  else if (missing && !(await repair(ctx, missing.item, missing.stateVector))) return 'leave';
  return 'retry';
}

/**
 * Answers MISSING_DEPENDENCIES: pushes everything the segment's document has beyond the
 * server's state vector, which covers every entry queued for it so far. Returns whether the
 * outbox changed.
 */
async function repair(ctx: SyncContext, item: PushItem, stateVector: string): Promise<boolean> {
  const { conversationId, segment } = item;
  const outbox = ctx.account.outbox;
  const held = ctx.account.segments.get(conversationId, segment);
  const covered = outbox.list(conversationId, segment);
  // The document holds the held-back messages too: what it has beyond the server's state must wait for their files.
  if (pushableNow(covered, ctx.account.attachments.notUploaded).length < covered.length) return false;
  if (!held) {
    await rollBack(ctx, covered, { code: ErrorCode.NOT_FOUND, message: 'This conversation is no longer on the device', retryable: false });
    return true;
  }
  const update = Y.encodeStateAsUpdate(held.doc, decodeBytes(stateVector));
  const [r] = await pushUpdates(ctx.api, [{ conversationId, segment, update }]);
  if (!r) return false;
  if (r.status !== 'REFUSED') {
    outbox.remove(covered.map((e) => e.seq));
    return covered.length > 0;
  }
  if (r.error?.code === ErrorCode.MISSING_DEPENDENCIES) return false;
  await rollBack(ctx, covered, { ...refusalFailure(r.error), retryable: false });
  return true;
}

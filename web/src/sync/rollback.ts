import { ErrorCode } from '@mailboat/schema';
import * as Y from 'yjs';
import { ClientError } from '../app/model.js';
import { decodeBytes } from './bytes.js';
import type { SyncContext } from './context.js';
import { SEGMENT_DIFFS } from './operations.js';
import { LOAD, localOrigin } from './origins.js';
import type { FailedWrite, OutboxEntry } from './records.js';
import { applyOp, type WriteOp, withVersion } from './write-ops.js';

/**
 * Rolls refused writes back, visibly: the refused entries move aside as failed, and the
 * segment's document is rebuilt from the server's state plus the writes still queued for
 * it, replacing what IndexedDB held. A queued write whose update no longer applies cleanly
 * (it was written after the refused one) is applied again from its intent, replacing its
 * update; one whose change the rebuilt document already holds leaves the queue; one that
 * cannot apply without the refused write fails with it.
 *
 * The server's state is fetched first: on a network error nothing changes (the entries stay
 * queued and the refusal comes again). When the server no longer shows the conversation
 * (NOT_FOUND), the conversation is dropped from the device and its writes fail.
 */
export async function rollBack(ctx: SyncContext, refused: OutboxEntry[], failure: FailedWrite['failure']): Promise<void> {
  const first = refused[0];
  if (!first) return;
  const { conversationId, segment } = first;
  const account = ctx.account;
  let server: Uint8Array;
  try {
    const data = await ctx.api.query(SEGMENT_DIFFS, { segments: [{ conversationId, segment }] });
    server = decodeBytes(data.segmentDiffs[0]?.update ?? '');
  } catch (e) {
    if (!(e instanceof ClientError) || e.code !== ErrorCode.NOT_FOUND) throw e;
    ctx.refused?.();
    for (const entry of refused) if (account.outbox.has(entry.seq)) account.outbox.fail(entry, failure);
    await account.dropConversation(conversationId);
    return;
  }
  const refusedSeqs = new Set(refused.map((e) => e.seq));
  const doc = new Y.Doc();
  if (server.length > 0) Y.applyUpdate(doc, server, LOAD);
  for (const entry of account.outbox.list(conversationId, segment)) {
    if (refusedSeqs.has(entry.seq)) continue;
    if (appliesCleanly(doc, entry.update)) {
      Y.applyUpdate(doc, entry.update, LOAD);
      continue;
    }
    const again = reapply(doc, entry);
    if (again === 'held') account.outbox.remove([entry.seq]);
    else if (again) account.outbox.replace({ ...entry, ...again });
    else account.outbox.fail(entry, { ...failure, message: `It depended on a refused change: ${failure.message}` });
  }
  try {
    account.checkLeftovers(await account.segments.replace(conversationId, segment, doc));
  } finally {
    // Only now that no document holds the refused writes: the clock starts over (nothing
    // re-observes their createdAt), and the UI shows them failed, in one synchronous step, so
    // a message written after the failure shows is dated afresh.
    ctx.refused?.();
    for (const entry of refused) if (account.outbox.has(entry.seq)) account.outbox.fail(entry, failure);
  }
  account.changed(conversationId);
}

/** True when `update` integrates into `doc` completely (nothing it depends on is missing). */
function appliesCleanly(doc: Y.Doc, update: Uint8Array): boolean {
  const probe = new Y.Doc();
  try {
    Y.applyUpdate(probe, Y.encodeStateAsUpdate(doc));
    Y.applyUpdate(probe, update);
    return probe.store.pendingStructs === null && probe.store.pendingDs === null;
  } catch {
    return false;
  } finally {
    probe.destroy();
  }
}

/**
 * Applies the entry's intent to `doc` again: its new op (a legacy edit gets its version
 * now, see withVersion) and update; 'held' when `doc` already holds what it writes (nothing
 * to send); null when it cannot apply.
 */
function reapply(doc: Y.Doc, entry: OutboxEntry): { op: WriteOp; update: Uint8Array } | 'held' | null {
  const op = entry.op.kind === 'edit' ? withVersion(doc, entry.op) : entry.op;
  const origin = localOrigin(op);
  let captured: Uint8Array | null = null;
  const capture = (update: Uint8Array, o: unknown) => {
    if (o === origin) captured = update;
  };
  doc.on('update', capture);
  try {
    if (!applyOp(doc, op, origin)) return null;
    return captured ? { op, update: captured } : 'held';
  } finally {
    doc.off('update', capture);
  }
}

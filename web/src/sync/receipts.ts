import { ErrorCode, encodeGlobalId, type Message, parseGlobalId } from '@mailboat/schema';
import { ClientError } from '../app/model.js';
import type { Account } from './account.js';
import type { SyncContext } from './context.js';
import { MARK_DELIVERED, MARK_READ } from './operations.js';
import type { Position, Watermark } from './records.js';
import { comparePositions, laterOf } from './ticks.js';

const positionOf = (m: Pick<Message, 'createdAt' | 'id'>): Position => ({ at: m.createdAt, id: m.id });

/** The newest message of the conversation the server has (none of the device's queued writes). */
export function newestAcknowledged(account: Account, conversationId: string): Message | undefined {
  const queued = new Set(account.outbox.list(conversationId).map((e) => e.op.messageId));
  const messages = account.messages(conversationId);
  for (let i = messages.length - 1; i >= 0; i--) {
    const m = messages[i] as Message;
    if (!queued.has(m.id)) return m;
  }
  return undefined;
}

function ownWatermark(account: Account, conversationId: string): Watermark {
  return (
    account.receipts.get(conversationId)?.find((w) => w.userId === account.viewerId) ?? {
      userId: account.viewerId,
      delivered: null,
      read: null,
    }
  );
}

/** Moves the viewer's own watermarks forward locally (never back). */
async function advanceOwn(account: Account, conversationId: string, to: Position, read: boolean): Promise<void> {
  const members = account.receipts.get(conversationId) ?? [];
  const own = ownWatermark(account, conversationId);
  const next: Watermark = {
    userId: own.userId,
    delivered: laterOf(laterOf(own.delivered, to), read ? laterOf(own.read, to) : own.read),
    read: read ? laterOf(own.read, to) : own.read,
  };
  const others = members.filter((w) => w.userId !== account.viewerId);
  await account.putReceipts(
    conversationId,
    members.some((w) => w.userId === account.viewerId) ? members.map((w) => (w.userId === account.viewerId ? next : w)) : [...others, next],
  );
}

/**
 * Tells the server the device has everything up to the newest message it holds (after
 * applying remote updates), when that is past the viewer's delivered watermark.
 */
export async function markDelivered(ctx: SyncContext, conversationId: string): Promise<void> {
  const newest = newestAcknowledged(ctx.account, conversationId);
  if (!newest) return;
  const own = ownWatermark(ctx.account, conversationId);
  if (comparePositions(laterOf(own.delivered, own.read), positionOf(newest)) >= 0) return;
  try {
    await ctx.api.mutation(MARK_DELIVERED, { c: conversationId, m: encodeGlobalId('Message', newest.id) });
  } catch (e) {
    if (e instanceof ClientError && e.code === ErrorCode.NOT_FOUND) return;
    throw e;
  }
  await advanceOwn(ctx.account, conversationId, positionOf(newest), false);
}

/** Records that the viewer has read the conversation up to its newest message; sent by flushReads. */
export async function queueRead(account: Account, conversationId: string): Promise<boolean> {
  const newest = newestAcknowledged(account, conversationId);
  if (!newest) return false;
  const read = account.readPosition(conversationId);
  if (comparePositions(read, positionOf(newest)) >= 0) return false;
  await account.setPendingReads({ ...account.pendingReads, [conversationId]: encodeGlobalId('Message', newest.id) });
  return true;
}

/** Sends the queued read marks; each leaves the queue once the server took it (or no longer knows it). */
export async function flushReads(ctx: SyncContext): Promise<void> {
  for (const [conversationId, messageId] of Object.entries(ctx.account.pendingReads)) {
    try {
      await ctx.api.mutation(MARK_READ, { c: conversationId, m: messageId });
      const id = parseGlobalId(messageId)?.id;
      const m = ctx.account.messages(conversationId).find((x) => x.id === id);
      if (m) await advanceOwn(ctx.account, conversationId, positionOf(m), true);
    } catch (e) {
      if (!(e instanceof ClientError) || e.code !== ErrorCode.NOT_FOUND) throw e;
    }
    const rest = { ...ctx.account.pendingReads };
    if (rest[conversationId] === messageId) delete rest[conversationId];
    await ctx.account.setPendingReads(rest);
  }
}

import type { AppDeps } from '../context.js';
import { findMembership, listMemberIds } from '../conversations/conversations-repository.js';
import type { Db } from '../db/connect.js';
import type { ReceiptRow } from '../db/tables.js';
import { markDeviceSynced } from '../devices/devices-repository.js';
import { notFound } from '../errors.js';
import { publishToUsers } from '../events/pubsub.js';
import { findNewestMessage } from '../messages/messages-query-repository.js';
import type { Viewer } from '../viewer.js';
import * as repo from './receipts-repository.js';

// Rules: a member has two watermarks per conversation, delivered and read, each the newest
// message position (createdAt, id) a device of theirs has received / they have read. They
// only move forward; read implies delivered. Only members mark, and only with a message of
// that conversation (NOT_FOUND otherwise, never a hint that either exists). A message's
// status is judged against the conversation's current members other than its author.

/** A place in display order; `id` null means before every message. */
export type Position = { at: number; id: string | null };

export type DeliveryStatus = 'sent' | 'delivered' | 'read';

/** A member's watermarks in a conversation (message row ids, null before the first). */
export type Watermarks = { conversationId: string; userId: string; deliveredId: string | null; readId: string | null };

/** Watermarks after a mark (with their positions' createdAt), and whether the mark moved either of them. */
export type MarkResult = Watermarks & { deliveredAt: number | null; readAt: number | null; moved: boolean };

/** A current member with both watermarks as positions. */
export type MemberWatermarks = { userId: string; delivered: Position; read: Position };

/** One other member's view of a message. */
export type MessageReceipt = { userId: string; status: DeliveryStatus };

export function comparePositions(a: Position, b: Position): number {
  if (a.at !== b.at) return a.at < b.at ? -1 : 1;
  const x = a.id ?? '';
  const y = b.id ?? '';
  return x < y ? -1 : x > y ? 1 : 0;
}

const later = (a: Position, b: Position) => (comparePositions(a, b) >= 0 ? a : b);

/**
 * Moves the viewer's delivered watermark up to message `upTo` (a no-op if it is already
 * there or past it) and records that the viewer's device completed a sync. Call it after
 * the device has applied remote updates. Throws NOT_FOUND when the viewer is not a member
 * or the message is not in the conversation. Announced to all members after the commit,
 * only when the watermark moved.
 */
export function markDelivered(deps: AppDeps, viewer: Viewer, conversationId: string, upTo: string): Promise<MarkResult> {
  return advance(deps, viewer, conversationId, upTo, 'delivered');
}

/** Like markDelivered for the read watermark; marking read also marks delivered. Does not touch the device's sync time. */
export function markRead(deps: AppDeps, viewer: Viewer, conversationId: string, upTo: string): Promise<MarkResult> {
  return advance(deps, viewer, conversationId, upTo, 'read');
}

async function advance(
  deps: AppDeps,
  viewer: Viewer,
  conversationId: string,
  upTo: string,
  kind: 'delivered' | 'read',
): Promise<MarkResult> {
  const { result, memberIds } = await deps.db.transaction().execute(async (trx) => {
    if (!(await findMembership(trx, conversationId, viewer.userId))) throw notFound('Conversation');
    const message = await repo.findMessagePosition(trx, conversationId, upTo);
    if (!message) throw notFound('Message');
    const row = await repo.lockReceipt(trx, conversationId, viewer.userId);
    const target: Position = { at: message.created_at, id: message.id };
    const read = kind === 'read' ? later(readOf(row), target) : readOf(row);
    const delivered = later(later(deliveredOf(row), target), read);
    const moved = comparePositions(delivered, deliveredOf(row)) !== 0 || comparePositions(read, readOf(row)) !== 0;
    if (moved) {
      await repo.updateReceipt(trx, {
        conversation_id: conversationId,
        user_id: viewer.userId,
        delivered_at: delivered.at,
        delivered_id: delivered.id,
        read_at: read.at,
        read_id: read.id,
      });
    }
    if (kind === 'delivered') await markDeviceSynced(trx, viewer.deviceId);
    const result: MarkResult = {
      conversationId,
      userId: viewer.userId,
      deliveredId: delivered.id,
      readId: read.id,
      deliveredAt: delivered.id === null ? null : delivered.at,
      readAt: read.id === null ? null : read.at,
      moved,
    };
    return { result, memberIds: moved ? await listMemberIds(trx, conversationId) : [] };
  });
  if (result.moved) {
    publishToUsers(deps.pubsub, memberIds, {
      kind: 'receiptMoved',
      conversationId,
      userId: result.userId,
      deliveredId: result.deliveredId,
      readId: result.readId,
      deliveredAt: result.deliveredAt,
      readAt: result.readAt,
    });
  }
  return result;
}

/**
 * Starts new members' watermarks at the conversation's newest message, so that history from
 * before they joined neither counts as unread for them nor holds everyone else's messages at
 * SENT. Runs in the caller's transaction `trx` (adding members, conversations-service.ts).
 */
export async function startReceiptsAtNewest(trx: Db, conversationId: string, userIds: readonly string[]): Promise<void> {
  if (userIds.length === 0) return;
  const newest = await findNewestMessage(trx, conversationId);
  if (!newest) return;
  await repo.startReceiptsAt(trx, conversationId, userIds, newest);
}

/** The current members of a conversation with their watermarks, in join order. Callers have authorized the viewer. */
export async function conversationWatermarks(deps: AppDeps, conversationId: string): Promise<MemberWatermarks[]> {
  const rows = await repo.listMemberReceipts(deps.db, conversationId);
  return rows.map((r) => ({ userId: r.user_id, delivered: deliveredOf(r), read: readOf(r) }));
}

/** Per current member other than the author: how far the message got with them. */
export function messageReceipts(message: { authorId: string } & Position, members: MemberWatermarks[]): MessageReceipt[] {
  return members
    .filter((m) => m.userId !== message.authorId)
    .map((m) => ({
      userId: m.userId,
      status: comparePositions(m.read, message) >= 0 ? 'read' : comparePositions(m.delivered, message) >= 0 ? 'delivered' : 'sent',
    }));
}

/** The author's view: the least advanced of the receipts; SENT when nobody else is in the conversation. */
export function aggregateStatus(receipts: MessageReceipt[]): DeliveryStatus {
  if (receipts.length === 0) return 'sent';
  if (receipts.every((r) => r.status === 'read')) return 'read';
  if (receipts.every((r) => r.status !== 'sent')) return 'delivered';
  return 'sent';
}

/** Messages by others after the viewer's read watermark, not deleted. The viewer must be a member. */
export function unreadCount(deps: AppDeps, viewer: Viewer, conversationId: string): Promise<number> {
  return repo.countUnread(deps.db, conversationId, viewer.userId);
}

const deliveredOf = (r: Pick<ReceiptRow, 'delivered_at' | 'delivered_id'>): Position => ({
  at: Number(r.delivered_at),
  id: r.delivered_id,
});
const readOf = (r: Pick<ReceiptRow, 'read_at' | 'read_id'>): Position => ({ at: Number(r.read_at), id: r.read_id });

import type { ResultOf } from 'gql.tada';
import type { Account } from './account.js';
import type { CONVERSATION } from './operations.js';
import type { ConversationRecord, Watermark } from './records.js';
import { positionFromApi } from './ticks.js';

/** A Conversation as the CONVERSATION fragment (operations.ts) selects it. */
export type ConversationNode = ResultOf<typeof CONVERSATION>;

/** A member's watermarks as the API sends them: in a conversation's receipts, or as a ReceiptEvent (with its user). */
export type ApiReceipt = ConversationNode['receipts'][number];

export const watermarkOf = (r: ApiReceipt): Watermark => ({
  userId: r.user.id,
  delivered: positionFromApi(r.deliveredUpTo, r.deliveredAt),
  read: positionFromApi(r.readUpTo, r.readAt),
});

/**
 * Stores what the server says about a conversation (its record, its members as users, their
 * receipts), keeping what the device knows about its held history.
 */
export async function absorbConversation(account: Account, node: ConversationNode): Promise<ConversationRecord> {
  const previous = account.conversations.get(node.id);
  const record: ConversationRecord = {
    id: node.id,
    kind: node.kind,
    title: node.title,
    memberCount: node.memberCount,
    viewerRole: node.viewerRole,
    unreadCount: node.unreadCount,
    updatedAt: Date.parse(node.updatedAt),
    mute: node.muted ? { until: node.muted.until === null ? null : Date.parse(node.muted.until) } : null,
    memberIds: node.receipts.map((r) => r.user.id),
    loaded: previous?.loaded ?? false,
    olderCursor: previous?.olderCursor ?? null,
    hasOlder: previous?.hasOlder ?? false,
  };
  await account.putUsers(node.receipts.map((r) => r.user));
  await account.putReceipts(node.id, node.receipts.map(watermarkOf));
  await account.putConversation(record);
  return record;
}

import type { MemberRole, User } from '../app/model.js';
import type { Account } from './account.js';
import type { ConversationRecord, Watermark } from './records.js';
import { positionFromApi } from './ticks.js';

/** A Conversation as the CONVERSATION selection (operations.ts) returns it. */
export type ConversationNode = {
  id: string;
  kind: 'DIRECT' | 'GROUP';
  title: string | null;
  memberCount: number;
  viewerRole: MemberRole;
  unreadCount: number;
  updatedAt: string;
  receipts: ApiReceipt[];
};

export type ApiReceipt = {
  user: User | null;
  deliveredUpTo: string | null;
  deliveredAt: string | null;
  readUpTo: string | null;
  readAt: string | null;
};

export const watermarkOf = (r: ApiReceipt & { user: User }): Watermark => ({
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
    memberIds: node.receipts.flatMap((r) => (r.user ? [r.user.id] : [])),
    loaded: previous?.loaded ?? false,
    olderCursor: previous?.olderCursor ?? null,
    hasOlder: previous?.hasOlder ?? false,
  };
  const users = node.receipts.flatMap((r) => (r.user ? [r.user] : []));
  await account.putUsers(users);
  await account.putReceipts(node.id, node.receipts.filter((r): r is ApiReceipt & { user: User } => r.user !== null).map(watermarkOf));
  await account.putConversation(record);
  return record;
}

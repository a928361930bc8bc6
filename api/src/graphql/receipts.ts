import { requireViewer } from '../auth/authenticate.js';
import { getConversation } from '../conversations/conversations-service.js';
import { notFound } from '../errors.js';
import { encodeGlobalId, idOf } from '../global-ids.js';
import * as receipts from '../receipts/receipts-service.js';
import { builder } from './builder.js';
import type { Context } from './context.js';
import { ConversationRef } from './conversation.js';
import { MessageRef } from './message.js';
import { UserRef } from './user.js';

export const DeliveryStatus = builder.enumType('DeliveryStatus', {
  description:
    "How far a message got, from its author's point of view. PENDING (written on the device, not yet acknowledged by the server) exists only on the device.",
  values: {
    SENT: { value: 'sent', description: 'Committed on the server.' },
    DELIVERED: { value: 'delivered', description: 'A device of the recipient has synced it (markDelivered).' },
    READ: { value: 'read', description: 'The recipient marked the conversation read up to it (markRead).' },
  } as const,
});

const MessageReceiptRef = builder.objectRef<receipts.MessageReceipt>('MessageReceipt').implement({
  description: "One other member's progress with a message.",
  fields: (t) => ({
    user: t.field({ type: UserRef, resolve: async (r, _, ctx) => (await ctx.loaders.user.load(r.userId)) ?? missing(r.userId) }),
    status: t.field({ type: DeliveryStatus, resolve: (r) => r.status }),
  }),
});

const MarkPayload = builder.objectRef<receipts.MarkResult>('MarkReceiptPayload').implement({
  description: "The viewer's watermarks in the conversation after the mark.",
  fields: (t) => ({
    conversation: t.field({
      type: ConversationRef,
      resolve: async (r, _, ctx) => (await getConversation(ctx, requireViewer(ctx), r.conversationId)) ?? notFoundConversation(),
    }),
    deliveredUpTo: t.id({ nullable: true, resolve: (r) => r.deliveredId && encodeGlobalId('Message', r.deliveredId) }),
    readUpTo: t.id({ nullable: true, resolve: (r) => r.readId && encodeGlobalId('Message', r.readId) }),
    changed: t.boolean({
      description: 'False when the mark was a no-op: the watermark was already at or past that message.',
      resolve: (r) => r.moved,
    }),
  }),
});

async function receiptsOf(ctx: Context, m: { id: string; conversation_id: string; author_id: string; created_at: number }) {
  const members = await ctx.loaders.watermarks(m.conversation_id);
  return receipts.messageReceipts({ authorId: m.author_id, at: Number(m.created_at), id: m.id }, members);
}

builder.objectFields(MessageRef, (t) => ({
  status: t.field({
    type: DeliveryStatus,
    description:
      "The author's view: DELIVERED once every other member's device has synced it, READ once every other member has read it; SENT with nobody else in the conversation.",
    resolve: async (m, _, ctx) => receipts.aggregateStatus(await receiptsOf(ctx, m)),
  }),
  receipts: t.field({
    type: [MessageReceiptRef],
    description: 'One per current member other than the author, in join order.',
    resolve: (m, _, ctx) => receiptsOf(ctx, m),
  }),
}));

const MemberReceiptRef = builder.objectRef<receipts.MemberWatermarks>('MemberReceipt').implement({
  description:
    "A member's watermarks: every message up to deliveredUpTo has reached a device of theirs, and they have read up to readUpTo. Positions compare by (createdAt, id).",
  fields: (t) => ({
    user: t.field({ type: UserRef, resolve: async (r, _, ctx) => (await ctx.loaders.user.load(r.userId)) ?? missing(r.userId) }),
    deliveredUpTo: t.id({ nullable: true, resolve: (r) => r.delivered.id && encodeGlobalId('Message', r.delivered.id) }),
    deliveredAt: t.field({
      type: 'DateTime',
      nullable: true,
      description: "deliveredUpTo's createdAt.",
      resolve: (r) => (r.delivered.id === null ? null : new Date(r.delivered.at)),
    }),
    readUpTo: t.id({ nullable: true, resolve: (r) => r.read.id && encodeGlobalId('Message', r.read.id) }),
    readAt: t.field({
      type: 'DateTime',
      nullable: true,
      description: "readUpTo's createdAt.",
      resolve: (r) => (r.read.id === null ? null : new Date(r.read.at)),
    }),
  }),
});

builder.objectField(ConversationRef, 'receipts', (t) =>
  t.field({
    type: [MemberReceiptRef],
    description:
      'Every current member (you too) with their delivered and read watermarks, in join order: enough for a device to tick its own messages.',
    resolve: (c, _, ctx) => ctx.loaders.watermarks(c.id),
  }),
);

builder.objectField(ConversationRef, 'unreadCount', (t) =>
  t.int({
    description: 'Messages by others after your read watermark (markRead), deleted ones left out.',
    resolve: (c, _, ctx) => receipts.unreadCount(ctx, requireViewer(ctx), c.id),
  }),
);

builder.mutationFields((t) => {
  const args = () => ({
    conversationId: t.arg.globalID({ required: true }),
    upTo: t.arg.globalID({ required: true, description: 'A message of that conversation: everything up to it in (createdAt, id) order.' }),
  });
  const ids = (a: { conversationId: { typename: string; id: string }; upTo: { typename: string; id: string } }) =>
    [idOf(a.conversationId, 'Conversation', 'conversationId'), idOf(a.upTo, 'Message', 'upTo')] as const;
  return {
    markDelivered: t.field({
      type: MarkPayload,
      description:
        "Call after the device applied remote updates: your devices have received everything up to `upTo`. Never moves back (an older message is a no-op); also sets this device's lastSyncAt. Errors: NOT_FOUND.",
      args: args(),
      resolve: (_, a, ctx) => receipts.markDelivered(ctx, requireViewer(ctx), ...ids(a)),
    }),
    markRead: t.field({
      type: MarkPayload,
      description: 'You have read everything up to `upTo` (which also marks it delivered). Never moves back. Errors: NOT_FOUND.',
      args: args(),
      resolve: (_, a, ctx) => receipts.markRead(ctx, requireViewer(ctx), ...ids(a)),
    }),
  };
});

function missing(userId: string): never {
  throw new Error(`receipt for ${userId}, who has no user row`);
}

function notFoundConversation(): never {
  throw notFound('Conversation');
}

import { type DocumentNode, type GraphQLSchema, TypeInfo, visit, visitWithTypeInfo } from 'graphql';
import { requireViewer } from '../auth/authenticate.js';
import { getConversation } from '../conversations/conversations-service.js';
import { getOwnDevice } from '../devices/devices-service.js';
import { accountEvents } from '../events/account-events-service.js';
import type { AccountEvent } from '../events/pubsub.js';
import { encodeGlobalId } from '../global-ids.js';
import type { Viewer } from '../viewer.js';
import { builder } from './builder.js';
import { ConversationRef } from './conversation.js';
import { DeviceRef } from './device.js';
import { PresenceRef } from './presence.js';
import { UserRef } from './user.js';

type Of<K extends AccountEvent['kind']> = Extract<AccountEvent, { kind: K }>;

const ConversationAdded = builder.objectRef<Of<'conversationAdded'>>('ConversationAddedEvent').implement({
  description: 'You were added to a conversation (or created one).',
  fields: (t) => ({
    conversation: t.field({
      type: ConversationRef,
      nullable: true,
      description: 'Null if you lost access again before this event arrived.',
      resolve: async (e, _, ctx) => (await getConversation(ctx, requireViewer(ctx), e.conversationId)) ?? null,
    }),
  }),
});

const ConversationUpdated = builder.objectRef<Of<'conversationUpdated'>>('ConversationUpdatedEvent').implement({
  description: 'A conversation you are in was renamed, or its members or roles changed.',
  fields: (t) => ({
    conversation: t.field({
      type: ConversationRef,
      nullable: true,
      description: 'Null if you lost access before this event arrived.',
      resolve: async (e, _, ctx) => (await getConversation(ctx, requireViewer(ctx), e.conversationId)) ?? null,
    }),
  }),
});

const RemovalReason = builder.enumType('ConversationRemovalReason', { values: ['REMOVED', 'LEFT'] as const });

const ConversationRemoved = builder.objectRef<Of<'conversationRemoved'>>('ConversationRemovedEvent').implement({
  description: 'You no longer have access to this conversation: drop it from the device.',
  fields: (t) => ({
    conversationId: t.id({ resolve: (e) => encodeGlobalId('Conversation', e.conversationId) }),
    reason: t.field({ type: RemovalReason, resolve: (e) => (e.reason === 'left' ? 'LEFT' : 'REMOVED') }),
  }),
});

const DeviceAdded = builder.objectRef<Of<'deviceAdded'>>('DeviceAddedEvent').implement({
  description: 'A new device signed into your account.',
  fields: (t) => ({
    device: t.field({
      type: DeviceRef,
      nullable: true,
      resolve: async (e, _, ctx) => (await getOwnDevice(ctx, requireViewer(ctx), e.deviceId)) ?? null,
    }),
  }),
});

const DeviceRevokedEvent = builder.objectRef<Of<'deviceRevoked'>>('DeviceRevokedEvent').implement({
  description: 'One of your devices was signed out or revoked.',
  fields: (t) => ({
    deviceId: t.id({ resolve: (e) => encodeGlobalId('Device', e.deviceId) }),
  }),
});

const SegmentUpdated = builder.objectRef<Of<'segmentUpdated'>>('SegmentUpdatedEvent').implement({
  description: "An update to a conversation segment, written by another device; apply it to that segment's Y.Doc.",
  fields: (t) => ({
    conversationId: t.id({ resolve: (e) => encodeGlobalId('Conversation', e.conversationId) }),
    segment: t.int({ resolve: (e) => e.segment }),
    update: t.field({ type: 'Bytes', description: 'A Yjs v1 update.', resolve: (e) => e.update }),
  }),
});

const ReceiptEvent = builder.objectRef<Of<'receiptMoved'>>('ReceiptEvent').implement({
  description:
    "A member's delivered or read watermark in a conversation moved forward: every message up to it, in (createdAt, id) order, has reached them.",
  fields: (t) => ({
    conversationId: t.id({ resolve: (e) => encodeGlobalId('Conversation', e.conversationId) }),
    user: t.field({
      type: UserRef,
      nullable: true,
      description: 'Null if the account is gone.',
      resolve: async (e, _, ctx) => (await ctx.loaders.user.load(e.userId)) ?? null,
    }),
    deliveredUpTo: t.id({
      nullable: true,
      description: 'The newest message a device of theirs has synced.',
      resolve: (e) => e.deliveredId && encodeGlobalId('Message', e.deliveredId),
    }),
    readUpTo: t.id({
      nullable: true,
      description: 'The newest message they have read.',
      resolve: (e) => e.readId && encodeGlobalId('Message', e.readId),
    }),
    deliveredAt: t.field({
      type: 'DateTime',
      nullable: true,
      description: "deliveredUpTo's createdAt: compare (createdAt, id) with your messages to tick them.",
      resolve: (e) => (e.deliveredAt === null ? null : new Date(e.deliveredAt)),
    }),
    readAt: t.field({
      type: 'DateTime',
      nullable: true,
      description: "readUpTo's createdAt.",
      resolve: (e) => (e.readAt === null ? null : new Date(e.readAt)),
    }),
  }),
});

const TypingEvent = builder.objectRef<Of<'typing'>>('TypingEvent').implement({
  description: 'Another member started or stopped typing in a conversation (ephemeral: never stored, not replayed at catch-up).',
  fields: (t) => ({
    conversationId: t.id({ resolve: (e) => encodeGlobalId('Conversation', e.conversationId) }),
    user: t.field({
      type: UserRef,
      nullable: true,
      description: 'Who is typing (stamped by the server); null if the account is gone.',
      resolve: async (e, _, ctx) => (await ctx.loaders.user.load(e.userId)) ?? null,
    }),
    typing: t.boolean({ description: 'False: they stopped; clear the indicator now.', resolve: (e) => e.typing }),
    expiresAt: t.field({
      type: 'DateTime',
      description: 'When to stop showing it if nothing else arrives (about 6 s after a typing true; now for false).',
      resolve: (e) => new Date(e.expiresAt),
    }),
  }),
});

const PresenceEvent = builder.objectRef<Of<'presence'>>('PresenceEvent').implement({
  description:
    'Someone you share a conversation with came online or went offline (sent only while both of you share presence; see User.presence).',
  fields: (t) => ({
    user: t.field({
      type: UserRef,
      // Nullable like TypingEvent.user and ReceiptEvent.user: one document may select `user` on all three.
      nullable: true,
      description: 'Whose presence changed; null if the account is gone.',
      resolve: async (e, _, ctx) => (await ctx.loaders.user.load(e.userId)) ?? null,
    }),
    presence: t.field({
      type: PresenceRef,
      nullable: true,
      description: 'Their new presence.',
      resolve: (e) => ({ online: e.online, lastSeenAt: e.lastSeenAt === null ? null : new Date(e.lastSeenAt) }),
    }),
  }),
});

const refs = {
  conversationAdded: ConversationAdded,
  conversationUpdated: ConversationUpdated,
  conversationRemoved: ConversationRemoved,
  deviceAdded: DeviceAdded,
  deviceRevoked: DeviceRevokedEvent,
  segmentUpdated: SegmentUpdated,
  receiptMoved: ReceiptEvent,
  typing: TypingEvent,
  presence: PresenceEvent,
} as const;

const EventUnion = builder.unionType('Event', {
  types: Object.values(refs),
  resolveType: (e) => refs[e.kind],
});

/** Event kinds whose fields resolve the same for every viewer (nothing in them reads the context's viewer). */
const VIEWER_INDEPENDENT = new Set<string>(['segmentUpdated', 'receiptMoved', 'conversationRemoved', 'deviceRevoked', 'typing']);

/** The kinds above that hold a User, whose `presence` depends on the viewer (their setting and their conversations). */
const WITH_USER = new Set<string>(['receiptMoved', 'typing']);

/** Whether `document` selects `User.presence` anywhere (then events holding a User are not shared between viewers). */
function selectsPresence(document: DocumentNode, schema: GraphQLSchema): boolean {
  const typeInfo = new TypeInfo(schema);
  let found = false;
  visit(
    document,
    visitWithTypeInfo(typeInfo, {
      Field(node) {
        if (node.name.value === 'presence' && typeInfo.getParentType()?.name === 'User') found = true;
      },
    }),
  );
  return found;
}

/**
 * The sharing scope of an event's execution for one subscription document (see
 * shared-event-execution.ts): one execution serves every stream for the viewer-independent
 * kinds, and each device its own otherwise (conversations and devices carry viewer-dependent
 * fields, such as Device.isCurrent; a User's presence, when the document asks for it).
 */
export function eventScopeOf(document: DocumentNode, schema: GraphQLSchema): (event: unknown, contextValue: unknown) => string {
  const readsPresence = selectsPresence(document, schema);
  return (event, contextValue) => {
    const kind = (event as { kind?: string }).kind ?? '';
    if (VIEWER_INDEPENDENT.has(kind) && !(readsPresence && WITH_USER.has(kind))) return '';
    const viewer = (contextValue as { viewer?: Viewer | null }).viewer;
    return viewer ? `${viewer.userId}:${viewer.deviceId}` : '';
  };
}

builder.subscriptionFields((t) => ({
  events: t.field({
    type: EventUnion,
    description:
      "The signed-in device's one live stream, over SSE: other devices' segment updates, receipts, membership and device events, typing and presence. Ends with DEVICE_REVOKED when the device is revoked, and with EVENTS_INTERRUPTED when this server may have missed events (resubscribe and catch up).",
    subscribe: (_, __, ctx) => accountEvents(ctx, requireViewer(ctx)),
    resolve: (event) => event,
  }),
}));

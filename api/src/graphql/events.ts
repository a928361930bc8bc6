import { ErrorCode } from '@mailboat/schema';
import { GraphQLError } from 'graphql';
import { deviceRevoked, requireViewer } from '../auth/authenticate.js';
import type { AppDeps, Viewer } from '../context.js';
import { getConversation } from '../conversations/conversations-service.js';
import { findDevice } from '../devices/devices-repository.js';
import { hubOf } from '../events/events-hub.js';
import { EventQueue } from '../events/events-queue.js';
import type { AccountEvent } from '../events/pubsub.js';
import { streamCapsOf } from '../events/stream-caps.js';
import { encodeGlobalId } from '../global-ids.js';
import { builder } from './builder.js';
import { ConversationRef } from './conversation.js';
import { DeviceRef } from './device.js';
import { UserRef } from './user.js';

/** This node may have missed events from other nodes (see fanout/): reconnect, then catch up with `segmentDiffs` or `changes`. */
const eventsInterrupted = () =>
  new GraphQLError('This server may have missed events: reconnect and catch up', {
    extensions: { code: ErrorCode.EVENTS_INTERRUPTED, http: { status: 503 } },
  });

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
      resolve: async (e, _, ctx) => (await findDevice(ctx.db, e.deviceId)) ?? null,
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

const refs = {
  conversationAdded: ConversationAdded,
  conversationUpdated: ConversationUpdated,
  conversationRemoved: ConversationRemoved,
  deviceAdded: DeviceAdded,
  deviceRevoked: DeviceRevokedEvent,
  segmentUpdated: SegmentUpdated,
  receiptMoved: ReceiptEvent,
} as const;

const EventUnion = builder.unionType('Event', {
  types: Object.values(refs),
  resolveType: (e) => refs[e.kind],
});

/** Events a stream may have waiting before it is ended with EVENTS_INTERRUPTED (its client then catches up). */
export const MAX_QUEUED_EVENTS = 1024;

/**
 * The device's live stream of account events: what is published to the viewer's user (the
 * publishers choose the users: members of the conversation at the time, after the commit),
 * except segment updates written by this very device. It ends with DEVICE_REVOKED the moment
 * the device is revoked, wherever the revocation happened (queued events are dropped), and
 * with EVENTS_INTERRUPTED when this node may have missed other nodes' events or the reader
 * fell more than MAX_QUEUED_EVENTS behind (its client reconnects and catches up). Nothing is
 * delivered before the device is confirmed unrevoked.
 *
 * The pubsub subscriptions are shared by all streams of a user, device and node (events-hub.ts).
 * Throws TOO_MANY_STREAMS when the device or user already holds their cap of streams on this
 * node (stream-caps.ts).
 */
export function accountEvents(deps: AppDeps, viewer: Viewer): AsyncIterableIterator<AccountEvent> {
  const hub = hubOf(deps.pubsub);
  const stops: (() => void)[] = [streamCapsOf(deps.pubsub).open(viewer)];
  const stream = new EventQueue<AccountEvent>({
    limit: MAX_QUEUED_EVENTS,
    overflow: eventsInterrupted,
    onClose: () => {
      for (const stop of stops) stop();
    },
    held: true,
  });
  stops.push(
    hub.listen('device', viewer.deviceId, () => stream.fail(deviceRevoked())),
    hub.listen('node', undefined, () => stream.fail(eventsInterrupted())),
    hub.listen('user', viewer.userId, (event) => {
      if (event.kind === 'segmentUpdated' && event.originDeviceId === viewer.deviceId) return; // it has its own writes
      stream.push(event);
    }),
  );
  // Revoked between authentication and subscribing: end before anything is delivered.
  findDevice(deps.db, viewer.deviceId).then(
    (device) => (!device || device.revoked_at ? stream.fail(deviceRevoked()) : stream.release()),
    (e: unknown) => stream.fail(e),
  );
  return stream;
}

/** Event kinds whose fields resolve the same for every viewer (nothing in them reads the context's viewer). */
const VIEWER_INDEPENDENT = new Set<string>(['segmentUpdated', 'receiptMoved', 'conversationRemoved', 'deviceRevoked']);

/**
 * The sharing scope of an event's execution (see shared-event-execution.ts): one execution
 * serves every stream for the viewer-independent kinds, and each device its own otherwise
 * (conversations and devices carry viewer-dependent fields, such as Device.isCurrent).
 */
export function eventScope(event: unknown, contextValue: unknown): string {
  if (VIEWER_INDEPENDENT.has((event as { kind?: string }).kind ?? '')) return '';
  const viewer = (contextValue as { viewer?: Viewer | null }).viewer;
  return viewer ? `${viewer.userId}:${viewer.deviceId}` : '';
}

builder.subscriptionFields((t) => ({
  events: t.field({
    type: EventUnion,
    description:
      "The signed-in device's one live stream, over SSE: other devices' segment updates, receipts, membership and device events. Ends with DEVICE_REVOKED when the device is revoked, and with EVENTS_INTERRUPTED when this server may have missed events (resubscribe and catch up).",
    subscribe: (_, __, ctx) => accountEvents(ctx, requireViewer(ctx)),
    resolve: (event) => event,
  }),
}));

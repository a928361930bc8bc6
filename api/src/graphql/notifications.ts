import { requireViewer } from '../auth/authenticate.js';
import type { ConversationMuteRow } from '../db/tables.js';
import { idOf } from '../global-ids.js';
import * as notifications from '../notifications/notifications-service.js';
import { builder } from './builder.js';
import { ConversationRef } from './conversation.js';
import { DeviceRef } from './device.js';
import { asUser } from './loaders.js';

// Web Push notifications: the VAPID key, the device's subscription, and per-conversation mutes.

builder.queryField('webPushPublicKey', (t) =>
  t.string({
    description: 'The VAPID public key (base64url, uncompressed P-256 point) to pass to pushManager.subscribe as applicationServerKey.',
    resolve: (_, __, ctx) => notifications.webPushPublicKey(ctx),
  }),
);

builder.objectField(DeviceRef, 'notificationsEnabled', (t) =>
  t.boolean({
    description: 'This device has a push subscription.',
    resolve: (d, _, ctx) => ctx.loaders.notificationsEnabled.load(d.id),
  }),
);

const MuteRef = builder.objectRef<ConversationMuteRow>('Mute').implement({
  description: 'A mute of a conversation: no notifications for it on any of your devices until it ends.',
  fields: (t) => ({
    until: t.expose('until', { type: 'DateTime', nullable: true, description: 'When the mute ends; null for always.' }),
  }),
});

const MuteDuration = builder.enumType('MuteDuration', {
  description: 'How long a mute lasts.',
  values: {
    EIGHT_HOURS: { value: 'EIGHT_HOURS' },
    ONE_WEEK: { value: 'ONE_WEEK' },
    ALWAYS: { value: 'ALWAYS', description: 'Until unmuted.' },
  } as const,
});

builder.objectField(ConversationRef, 'muted', (t) =>
  t.field({
    type: MuteRef,
    nullable: true,
    description: 'Set while you muted this conversation: no notifications. Null when not muted.',
    resolve: async (c, _, ctx) => (await ctx.loaders.mute.load(asUser(requireViewer(ctx).userId, c.id))) ?? null,
  }),
);

const PushSubscriptionInput = builder.inputType('PushSubscriptionInput', {
  description: "A browser's PushSubscription, as its toJSON() gives it (endpoint, keys.p256dh, keys.auth).",
  fields: (t) => ({
    endpoint: t.string({ required: true, description: "The push service's https URL for this subscription (at most 1024 characters)." }),
    p256dh: t.string({ required: true, description: "The browser's public key: base64url, an uncompressed P-256 point (65 bytes)." }),
    auth: t.string({ required: true, description: 'The auth secret: base64url, 16 bytes.' }),
  }),
});

builder.mutationFields((t) => ({
  registerPushSubscription: t.field({
    type: DeviceRef,
    description:
      'Sets the push subscription of the device making the request, replacing its previous one. Errors: BAD_USER_INPUT (an endpoint that is not https, is a private or local address, carries a user name or is too long; keys of the wrong size or shape).',
    args: { input: t.arg({ type: PushSubscriptionInput, required: true }) },
    resolve: (_, { input }, ctx) => notifications.registerPushSubscription(ctx, requireViewer(ctx), input),
  }),
  removePushSubscription: t.field({
    type: DeviceRef,
    description: 'Deletes the push subscription of the device making the request; nothing when it has none.',
    resolve: (_, __, ctx) => notifications.removePushSubscription(ctx, requireViewer(ctx)),
  }),
  muteConversation: t.field({
    type: ConversationRef,
    description:
      'Mutes a conversation on all your devices (replacing an earlier mute); they hear conversationUpdated. Errors: NOT_FOUND for a conversation you are not in.',
    args: { conversationId: t.arg.globalID({ required: true }), duration: t.arg({ type: MuteDuration, required: true }) },
    resolve: (_, a, ctx) =>
      notifications.muteConversation(ctx, requireViewer(ctx), idOf(a.conversationId, 'Conversation', 'conversationId'), a.duration),
  }),
  unmuteConversation: t.field({
    type: ConversationRef,
    description: 'Ends your mute of a conversation (nothing when not muted); your devices hear conversationUpdated. Errors: NOT_FOUND.',
    args: { conversationId: t.arg.globalID({ required: true }) },
    resolve: (_, a, ctx) =>
      notifications.unmuteConversation(ctx, requireViewer(ctx), idOf(a.conversationId, 'Conversation', 'conversationId')),
  }),
}));

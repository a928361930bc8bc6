import type { AppDeps } from '../context.js';
import { getConversation } from '../conversations/conversations-service.js';
import type { ConversationMuteRow, DeviceRow } from '../db/tables.js';
import { getOwnDevice } from '../devices/devices-service.js';
import { notFound } from '../errors.js';
import { publishToUsers } from '../events/pubsub.js';
import type { Viewer } from '../viewer.js';
import { checkSubscription, type SubscriptionInput } from './endpoint-guard.js';
import * as repo from './notifications-repository.js';

/** The VAPID public key browsers subscribe with (pushManager.subscribe's applicationServerKey). */
export function webPushPublicKey(deps: AppDeps): string {
  return deps.config.vapidPublicKey;
}

async function currentDevice(deps: AppDeps, viewer: Viewer): Promise<DeviceRow> {
  const device = await getOwnDevice(deps, viewer, viewer.deviceId);
  if (!device) throw notFound('Device');
  return device;
}

/**
 * Sets the push subscription of the viewer's device, replacing its previous one. Throws
 * BAD_USER_INPUT (naming the field and why) for an endpoint that is not https, is a private or
 * local address, carries a user name, or is too long, and for keys that are not a P-256 point
 * and a 16-byte secret; then nothing is stored.
 */
export async function registerPushSubscription(deps: AppDeps, viewer: Viewer, input: SubscriptionInput): Promise<DeviceRow> {
  const checked = checkSubscription(input, deps.config.pushAllowLocalEndpoints);
  const device = await currentDevice(deps, viewer);
  await repo.upsertSubscription(deps.db, { deviceId: device.id, userId: viewer.userId, ...checked });
  return device;
}

/** Deletes the push subscription of the viewer's device, if it has one (queued notifications go with it). */
export async function removePushSubscription(deps: AppDeps, viewer: Viewer): Promise<DeviceRow> {
  const device = await currentDevice(deps, viewer);
  await repo.deleteSubscription(deps.db, device.id);
  return device;
}

/** Which of these devices have a push subscription (for Device.notificationsEnabled; callers show only the viewer's own devices). */
export function devicesWithNotifications(deps: AppDeps, deviceIds: readonly string[]): Promise<Set<string>> {
  return repo.devicesWithSubscriptions(deps.db, deviceIds);
}

export type MuteDuration = 'EIGHT_HOURS' | 'ONE_WEEK' | 'ALWAYS';

const MUTE_MS: Record<Exclude<MuteDuration, 'ALWAYS'>, number> = { EIGHT_HOURS: 8 * 3600_000, ONE_WEEK: 7 * 86400_000 };

/** The user's active mutes among these conversations, by conversation id (callers ask only for the viewer's own). */
export async function activeMutes(
  deps: AppDeps,
  userId: string,
  conversationIds: readonly string[],
): Promise<Map<string, ConversationMuteRow>> {
  const rows = await repo.findActiveMutes(deps.db, userId, conversationIds);
  return new Map(rows.map((r) => [r.conversation_id, r]));
}

/**
 * Mutes a conversation for the viewer (all their devices) for `duration`, replacing an earlier
 * mute: no notifications until it ends. The viewer's devices hear conversationUpdated. Throws
 * NOT_FOUND for a conversation the viewer is not a member of.
 */
export async function muteConversation(deps: AppDeps, viewer: Viewer, conversationId: string, duration: MuteDuration) {
  const conversation = await getConversation(deps, viewer, conversationId);
  if (!conversation) throw notFound('Conversation');
  const until = duration === 'ALWAYS' ? null : new Date(Date.now() + MUTE_MS[duration]);
  await repo.setMute(deps.db, conversation.id, viewer.userId, until);
  publishToUsers(deps.pubsub, [viewer.userId], { kind: 'conversationUpdated', conversationId: conversation.id });
  return conversation;
}

/** Ends the viewer's mute of a conversation (nothing when none); their devices hear conversationUpdated. NOT_FOUND for a non-member. */
export async function unmuteConversation(deps: AppDeps, viewer: Viewer, conversationId: string) {
  const conversation = await getConversation(deps, viewer, conversationId);
  if (!conversation) throw notFound('Conversation');
  await repo.deleteMute(deps.db, conversation.id, viewer.userId);
  publishToUsers(deps.pubsub, [viewer.userId], { kind: 'conversationUpdated', conversationId: conversation.id });
  return conversation;
}

import { createPubSub } from 'graphql-yoga';

/** What a user's devices hear about their account and conversations (published after commit). */
export type AccountEvent =
  | { kind: 'conversationAdded'; conversationId: string }
  | { kind: 'conversationUpdated'; conversationId: string }
  | { kind: 'conversationRemoved'; conversationId: string; reason: 'removed' | 'left' }
  | { kind: 'deviceAdded'; deviceId: string }
  | { kind: 'deviceRevoked'; deviceId: string }
  | { kind: 'segmentUpdated'; conversationId: string; segment: number; update: Uint8Array; originDeviceId: string }
  /** A member's delivered or read watermark moved forward; ids are message row ids, null before the first. */
  | { kind: 'receiptMoved'; conversationId: string; userId: string; deliveredId: string | null; readId: string | null };

/** Sent on a device's own channel when it is revoked: its open subscriptions end at once. */
export type DeviceSignal = { kind: 'revoked' };

/** Typed topics, one channel per id. Publish only after the change has committed. */
export type Topics = {
  user: [userId: string, event: AccountEvent];
  device: [deviceId: string, signal: DeviceSignal];
};

export type PubSub = ReturnType<typeof createPubSub<Topics>>;

export const createAppPubSub = (): PubSub => createPubSub<Topics>();

/** Publishes `event` to every user in `userIds`. */
export function publishToUsers(pubsub: PubSub, userIds: Iterable<string>, event: AccountEvent): void {
  for (const userId of new Set(userIds)) pubsub.publish('user', userId, event);
}

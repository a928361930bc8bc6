import { createPubSub } from 'graphql-yoga';

/** What a user's devices hear about their account and conversations (published after commit). */
export type AccountEvent =
  | { kind: 'conversationAdded'; conversationId: string }
  | { kind: 'conversationUpdated'; conversationId: string }
  | { kind: 'conversationRemoved'; conversationId: string; reason: 'removed' | 'left' }
  | { kind: 'deviceAdded'; deviceId: string }
  | { kind: 'deviceRevoked'; deviceId: string }
  /** `seq` is the update's place in segment_updates (other nodes read large updates back from there). */
  | { kind: 'segmentUpdated'; conversationId: string; segment: number; seq: number; update: Uint8Array; originDeviceId: string }
  /** A member's delivered or read watermark moved forward; ids are message row ids, null before the first. */
  | {
      kind: 'receiptMoved';
      conversationId: string;
      userId: string;
      deliveredId: string | null;
      readId: string | null;
      /** createdAt (epoch ms) of those messages, so clients compare positions without a lookup. */
      deliveredAt: number | null;
      readAt: number | null;
    }
  /** A member started or stopped typing (ephemeral, never stored); sent to the other members. `expiresAt` is epoch ms. */
  | { kind: 'typing'; conversationId: string; userId: string; typing: boolean; expiresAt: number }
  /**
   * A user went online or offline; sent only to users sharing a conversation with them, when
   * both sides share presence. `lastSeenAt` (epoch ms) is null while online.
   */
  | { kind: 'presence'; userId: string; online: boolean; lastSeenAt: number | null };

/** Sent on a device's own channel when it is revoked: its open subscriptions end at once. */
export type DeviceSignal = { kind: 'revoked' };

/**
 * Published on this node only, when it may have missed other nodes' events (its connection
 * to them was lost, or came back after a loss): every open event stream on it ends, so its
 * clients reconnect and catch up from the database.
 */
export type NodeSignal = { kind: 'eventsInterrupted' };

/** Typed topics, one channel per id. Publish only after the change has committed. */
export type Topics = {
  user: [userId: string, event: AccountEvent];
  device: [deviceId: string, signal: DeviceSignal];
  node: [signal: NodeSignal];
};

export type PubSub = ReturnType<typeof createPubSub<Topics>>;

/** Hands an event published on this node to the other nodes (they deliver it to their subscribers). */
export type Forward = (topic: 'user' | 'device', id: string, payload: AccountEvent | DeviceSignal) => void;

/** This node's own pubsub: subscribers here hear a publish at once, and nobody else does. */
export const createAppPubSub = (): PubSub => createPubSub<Topics>();

/**
 * `local`, except that every `user` and `device` event published through it is also handed to
 * `forward` (see events/fanout/), which delivers it on the other nodes.
 */
export function fannedOut(local: PubSub, forward: Forward): PubSub {
  return {
    publish: (topic, ...args) => {
      local.publish(topic, ...args);
      if (topic === 'user' || topic === 'device') forward(topic, args[0] as string, args[1] as AccountEvent | DeviceSignal);
    },
    subscribe: local.subscribe,
  };
}

/** Publishes `event` to every user in `userIds`. */
export function publishToUsers(pubsub: PubSub, userIds: Iterable<string>, event: AccountEvent): void {
  for (const userId of new Set(userIds)) pubsub.publish('user', userId, event);
}

import type { DeviceRow } from '../db/tables.js';
import type { PubSub } from '../events/pubsub.js';

/**
 * Tells every node's subscribers that these devices were revoked (call after commit): each
 * revoked device's open subscriptions end at once, and the owner's other devices hear of it.
 */
export function announceRevocations(pubsub: PubSub, revoked: readonly DeviceRow[]): void {
  for (const device of revoked) {
    pubsub.publish('device', device.id, { kind: 'revoked' });
    pubsub.publish('user', device.user_id, { kind: 'deviceRevoked', deviceId: device.id });
  }
}

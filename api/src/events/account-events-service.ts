import { ErrorCode } from '@mailboat/schema';
import { deviceRevoked } from '../auth/authenticate.js';
import type { AppDeps } from '../context.js';
import { findDevice } from '../devices/devices-repository.js';
import { AppError } from '../errors.js';
import type { Viewer } from '../viewer.js';
import { EventQueue } from './events-queue.js';
import type { AccountEvent } from './pubsub.js';

/** Events a stream may have waiting before it is ended with EVENTS_INTERRUPTED (its client then catches up). */
export const MAX_QUEUED_EVENTS = 1024;

/** This node may have missed events from other nodes (see events/fanout/): reconnect, then catch up with `segmentDiffs` or `changes`. */
const eventsInterrupted = () => new AppError(ErrorCode.EVENTS_INTERRUPTED, 'This server may have missed events: reconnect and catch up');

/**
 * The device's live stream of account events: what is published to the viewer's user (the
 * publishers choose the users: members of the conversation at the time, after the commit),
 * except segment updates written by this very device. It ends with DEVICE_REVOKED the moment
 * the device is revoked, wherever the revocation happened (queued events are dropped), and
 * with EVENTS_INTERRUPTED when this node may have missed other nodes' events or the reader
 * fell more than MAX_QUEUED_EVENTS behind (its client reconnects and catches up). Nothing is
 * delivered before the device is confirmed unrevoked.
 *
 * The pubsub subscriptions are shared by all streams of a user, device and node (deps.hub,
 * events-hub.ts). Throws TOO_MANY_STREAMS when the device or user already holds their cap of
 * streams on this node (deps.streamCaps, stream-caps.ts). While it is open, the device counts
 * as online (deps.presence, presence/presence-tracker.ts).
 */
export function accountEvents(deps: AppDeps, viewer: Viewer): AsyncIterableIterator<AccountEvent> {
  const { hub } = deps;
  const stops: (() => void)[] = [deps.streamCaps.open(viewer)];
  const stream = new EventQueue<AccountEvent>({
    limit: MAX_QUEUED_EVENTS,
    overflow: eventsInterrupted,
    onClose: () => {
      for (const stop of stops) stop();
    },
    held: true,
  });
  stops.push(
    deps.presence.open(viewer), // the device is online while it holds a stream (its write is not awaited here)
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

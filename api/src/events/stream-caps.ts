import { ErrorCode } from '@mailboat/schema';
import { AppError } from '../errors.js';
import type { Viewer } from '../viewer.js';

/** Open `events` streams one device may hold on one node: its app's tabs, plus a reconnect or two not yet noticed as dead. */
export const MAX_STREAMS_PER_DEVICE = 8;
/** Open `events` streams one user may hold on one node, over all their devices. */
export const MAX_STREAMS_PER_USER = 32;

const tooMany = (what: string, max: number) =>
  new AppError(ErrorCode.TOO_MANY_STREAMS, `Too many open event streams for this ${what} (at most ${max}): close one first`);

/**
 * Counts the open event streams of each device and user in this process, so one client
 * cannot hold thousands of streams (each costs a socket and memory on the node). A stream
 * over a cap is refused with TOO_MANY_STREAMS before it subscribes to anything. One per app
 * (AppDeps.streamCaps).
 */
export class StreamCaps {
  private readonly byDevice = new Map<string, number>();
  private readonly byUser = new Map<string, number>();

  /** Counts a new stream of `viewer`; returns the function that uncounts it (call once, when it ends). Throws TOO_MANY_STREAMS. */
  open(viewer: Viewer): () => void {
    if ((this.byDevice.get(viewer.deviceId) ?? 0) >= MAX_STREAMS_PER_DEVICE) throw tooMany('device', MAX_STREAMS_PER_DEVICE);
    if ((this.byUser.get(viewer.userId) ?? 0) >= MAX_STREAMS_PER_USER) throw tooMany('account', MAX_STREAMS_PER_USER);
    add(this.byDevice, viewer.deviceId, 1);
    add(this.byUser, viewer.userId, 1);
    let open = true;
    return () => {
      if (!open) return;
      open = false;
      add(this.byDevice, viewer.deviceId, -1);
      add(this.byUser, viewer.userId, -1);
    };
  }
}

function add(counts: Map<string, number>, key: string, n: number): void {
  const next = (counts.get(key) ?? 0) + n;
  if (next > 0) counts.set(key, next);
  else counts.delete(key);
}

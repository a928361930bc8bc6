import type { Db } from '../db/connect.js';
import type { PubSub } from '../events/pubsub.js';
import type { Viewer } from '../viewer.js';
import { announcePresence } from './presence-announcer.js';
import * as repo from './presence-repository.js';

/** How long a device's presence row stays online unless refreshed: a node that crashed is noticed this long after. */
export const PRESENCE_TTL_SECONDS = 30;
/** How often the tracker refreshes its devices' rows and settles announced states (a third of the TTL). */
export const PRESENCE_TICK_MS = (PRESENCE_TTL_SECONDS * 1000) / 3;

export type PresenceTrackerOptions = {
  db: Db;
  pubsub: PubSub;
  /** How long a device still counts as online after its last stream closed (a reload or a reconnect shows no change). */
  graceSeconds: number;
  log?: (message: string) => void;
};

type Device = {
  userId: string;
  /** Open `events` streams of the device on this node. */
  streams: number;
  /** The last write queued for the device marked it online (true) or offline (false). */
  online: boolean;
  /** The device's writes, one after the other (an offline write never overtakes the online one). */
  chain: Promise<void>;
  /** Set while the grace after the last stream runs. */
  offlineTimer?: NodeJS.Timeout;
};

/**
 * Keeps the presence of the devices holding `events` streams on this node in the database,
 * and announces each user's online/offline transitions to the people allowed to see them
 * (presence-service.ts). One per app (AppDeps.presence); App.close stops it.
 *
 * Contract:
 * - `open` is synchronous and cheap: it counts the stream, and only a device's first stream
 *   on this node costs a write (one statement, not awaited by the stream);
 * - the last stream's close marks the device offline after `graceSeconds` (unless it opened
 *   again meanwhile), as of when it closed;
 * - while any stream is open, every PRESENCE_TICK_MS one statement refreshes all of this
 *   node's devices, and a second settles the announced states of every user (users whose rows
 *   ran out because their node crashed go offline; a transition lost to a race between two
 *   nodes is made good). Each transition is announced by exactly one node;
 * - writes of one device run in order; failures are logged (presence is best effort: the rows
 *   run out on their own, and the next tick settles what was announced).
 */
export class PresenceTracker {
  private readonly devices = new Map<string, Device>();
  private readonly log: (message: string) => void;
  private timer: NodeJS.Timeout | undefined;
  private ticking: Promise<void> | undefined;
  /** Announcements in the order their transitions were written (per node). */
  private announcing: Promise<void> = Promise.resolve();
  private stopped = false;

  constructor(private readonly options: PresenceTrackerOptions) {
    this.log = options.log ?? ((message) => console.error(`[presence] ${message}`));
  }

  /** Counts an open stream of the viewer's device; returns the function that uncounts it (call once, when it ends). */
  open(viewer: Viewer): () => void {
    if (this.stopped) return () => {};
    this.timer ??= setInterval(() => void this.tick(), PRESENCE_TICK_MS).unref();
    let device = this.devices.get(viewer.deviceId);
    if (!device) {
      device = { userId: viewer.userId, streams: 0, online: false, chain: Promise.resolve() };
      this.devices.set(viewer.deviceId, device);
    }
    device.streams++;
    clearTimeout(device.offlineTimer);
    device.offlineTimer = undefined;
    if (!device.online) this.markOnline(viewer.deviceId, device);
    let open = true;
    return () => {
      if (!open) return;
      open = false;
      this.close(viewer.deviceId);
    };
  }

  /** Open streams of this device on this node. */
  streams(deviceId: string): number {
    return this.devices.get(deviceId)?.streams ?? 0;
  }

  /** Resolves once every write queued so far, and its announcement, has run. */
  async idle(): Promise<void> {
    await Promise.all([...this.devices.values()].map((d) => d.chain));
    await this.ticking;
    await this.announcing;
  }

  /**
   * Refreshes this node's devices, then settles every user's announced state and announces
   * what changed (the tick; also callable at any time).
   */
  async sweep(): Promise<void> {
    const ids = [...this.devices].filter(([, d]) => d.streams > 0 && d.online).map(([id]) => id);
    const refreshed = new Set(await repo.refreshDevices(this.options.db, ids, PRESENCE_TTL_SECONDS));
    for (const id of ids) {
      const device = this.devices.get(id);
      // Its row ran out (this process stalled) or went: write it again.
      if (!refreshed.has(id) && device && device.streams > 0 && device.online) this.markOnline(id, device, true);
    }
    await Promise.all(ids.map((id) => this.devices.get(id)?.chain));
    this.announce(await repo.settleAnnounced(this.options.db));
    await this.announcing;
  }

  /** Marks this node's devices offline at once and announces it; later opens and closes do nothing. */
  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    clearInterval(this.timer);
    for (const device of this.devices.values()) clearTimeout(device.offlineTimer);
    try {
      await this.idle();
      const ids = [...this.devices].filter(([, d]) => d.online).map(([id]) => id);
      if (ids.length > 0) {
        await repo.endDevices(this.options.db, ids);
        this.announce(await repo.settleAnnounced(this.options.db));
        await this.announcing;
      }
    } catch (e) {
      this.log(`could not end presence at shutdown (${(e as Error).message}); the rows run out by themselves`);
    }
    this.devices.clear();
  }

  private close(deviceId: string): void {
    const device = this.devices.get(deviceId);
    if (this.stopped || !device || device.streams === 0) return;
    device.streams--;
    if (device.streams > 0) return;
    const closedAt = Date.now();
    const offline = () => {
      device.offlineTimer = undefined;
      if (device.streams > 0 || !device.online || this.stopped) return;
      device.online = false;
      const ago = (Date.now() - closedAt) / 1000;
      const write = this.queue(device, async () => this.announce(await repo.markDeviceOffline(this.options.db, deviceId, ago)));
      void write.then(() => {
        // Forget the device unless it opened again (or another write was queued) meanwhile.
        if (device.streams === 0 && device.chain === write && this.devices.get(deviceId) === device) this.devices.delete(deviceId);
      });
    };
    if (this.options.graceSeconds <= 0) offline();
    else device.offlineTimer = setTimeout(offline, this.options.graceSeconds * 1000).unref();
  }

  private markOnline(deviceId: string, device: Device, again = false): void {
    device.online = true;
    this.queue(device, async () => {
      if (!device.online || (again && device.streams === 0)) return;
      this.announce(await repo.markDeviceOnline(this.options.db, deviceId, PRESENCE_TTL_SECONDS));
    });
  }

  /** Runs `write` after the device's earlier writes; returns the new end of its chain (which never rejects). */
  private queue(device: Device, write: () => Promise<void>): Promise<void> {
    device.chain = device.chain.then(write).catch((e: unknown) => this.log(`a presence write failed: ${(e as Error).message}`));
    return device.chain;
  }

  private announce(flips: repo.Flip | repo.Flip[] | undefined): void {
    const list = flips === undefined ? [] : Array.isArray(flips) ? flips : [flips];
    if (list.length === 0) return;
    this.announcing = this.announcing
      .then(() => announcePresence(this.options, list))
      .catch((e: unknown) => this.log(`could not announce presence: ${(e as Error).message}`));
  }

  private async tick(): Promise<void> {
    if (this.ticking || this.stopped) return;
    this.ticking = this.sweep()
      .catch((e: unknown) => this.log(`the presence tick failed: ${(e as Error).message}`))
      .finally(() => {
        this.ticking = undefined;
      });
    await this.ticking;
  }
}

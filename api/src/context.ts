// The API's layers and what each may import are in docs/architecture.md, and checked by
// .dependency-cruiser.cjs on every `npm test`. This file may import types only.

import type { AttachmentSweeper } from './attachments/attachment-sweeper.js';
import type { ObjectStore } from './attachments/storage/object-store.js';
import type { Config } from './config.js';
import type { Db } from './db/connect.js';
import type { AttachmentRow } from './db/tables.js';
import type { EventHub } from './events/events-hub.js';
import type { PubSub } from './events/pubsub.js';
import type { StreamCaps } from './events/stream-caps.js';
import type { RateLimits } from './http/rate-limits.js';
import type { NotificationWorker } from './notifications/notification-worker.js';
import type { PresenceTracker } from './presence/presence-tracker.js';
import type { PushCommitter } from './sync/push/push-types.js';
import type { BackgroundCompactions } from './sync/segments/background-compactions.js';
import type { SegmentCache } from './sync/segments/segment-cache.js';
import type { TypingThrottle } from './typing/typing-throttle.js';

/**
 * Every long-lived part of one app, built once by createApp (app.ts) and handed to every
 * service call; nothing long-lived hides in module state. Two apps in one process (tests,
 * several nodes) share none of these.
 */
export type AppDeps = Readonly<{
  db: Db;
  pubsub: PubSub;
  config: Config;
  rateLimits: RateLimits;
  /** Live segment documents, and the per-segment locks of this process. */
  segments: SegmentCache;
  /** Compactions running in the background (App.close waits for them). */
  compactions: BackgroundCompactions;
  /** Takes pushes and commits them in groups (push-service.ts). */
  pushes: PushCommitter;
  /** One pubsub subscription per channel, shared by the open event streams. */
  hub: EventHub;
  /** Open event streams per device and user. */
  streamCaps: StreamCaps;
  /** Sends the queued Web Push notifications (App.close stops it). */
  notifications: NotificationWorker;
  /** Online/last-seen of the devices holding event streams here (App.close stops it). */
  presence: PresenceTracker;
  /** Where attachment bytes live, and what removes those no message needs (App.close stops it). */
  attachments: { store: ObjectStore; sweeper: AttachmentSweeper; completing: Map<string, Promise<AttachmentRow>> };
  /** Pacing of typing indicators per device. */
  typing: TypingThrottle;
  /** The hash sign-in verifies against when the handle is unknown (auth/passwords.ts). */
  decoyPasswordHash: () => Promise<string>;
  /** False while this node may be missing other nodes' events (its listener is down). */
  eventsFlowing: () => boolean;
}>;

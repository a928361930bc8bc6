// The layers of api/src, as the imports they may make (type-only imports count the same;
// there are no import circles):
//
// - db/: nothing else of api/src.
// - The kernel (errors.ts, global-ids.ts, validate.ts, viewer.ts, config.ts): the kernel only.
// - context.ts (this file): type-only imports of the parts AppDeps names, wherever they live.
// - Repositories (*-repository.ts): db/ only; from another repository, its types only. They
//   query, nothing else: no rules, no authorization.
// - Domain folders (accounts, auth, conversations, devices, events, messages, pairing,
//   receipts, sync): the kernel, context.ts, db/, repositories, each other. Never graphql/,
//   http/ or a root. Services (*-service.ts) hold the rules and the authorization.
// - graphql/ (resolvers, loaders): the kernel, context.ts, graphql/, the domain folders except
//   repositories, and db/tables.ts for row types only. Never http/, a repository, a Db handle
//   of their own, or a root: every read and write goes through a service.
// - http/ (yoga plugins, REST endpoints): the same, with http/ for graphql/.
// - Roots: yoga.ts wires graphql/ and http/ together; app.ts builds AppDeps; main.ts,
//   migrate.ts, print-schema.ts start things. They may import anything; nothing imports them
//   but another root.

import type { Config } from './config.js';
import type { Db } from './db/connect.js';
import type { EventHub } from './events/events-hub.js';
import type { PubSub } from './events/pubsub.js';
import type { StreamCaps } from './events/stream-caps.js';
import type { RateLimits } from './http/rate-limits.js';
import type { PushCommitter } from './sync/push/push-types.js';
import type { BackgroundCompactions } from './sync/segments/background-compactions.js';
import type { SegmentCache } from './sync/segments/segment-cache.js';

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
  /** The hash sign-in verifies against when the handle is unknown (auth/passwords.ts). */
  decoyPasswordHash: () => Promise<string>;
  /** False while this node may be missing other nodes' events (its listener is down). */
  eventsFlowing: () => boolean;
}>;

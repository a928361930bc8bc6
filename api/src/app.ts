import { AttachmentSweeper } from './attachments/attachment-sweeper.js';
import { createObjectStore } from './attachments/storage/create-object-store.js';
import { decoyPasswordHash } from './auth/passwords.js';
import type { Config } from './config.js';
import type { AppDeps } from './context.js';
import { connectPGlite, connectPostgres, createPool, type Db } from './db/connect.js';
import { migrateToLatest } from './db/migrate.js';
import { EventHub } from './events/events-hub.js';
import { PostgresFanout } from './events/fanout/postgres-fanout.js';
import { createAppPubSub, fannedOut, type PubSub } from './events/pubsub.js';
import { StreamCaps } from './events/stream-caps.js';
import { createRateLimits, type RateLimits } from './http/rate-limits.js';
import { NotificationWorker } from './notifications/notification-worker.js';
import { PresenceTracker } from './presence/presence-tracker.js';
import { createPushCommitter } from './sync/push/push-service.js';
import { BackgroundCompactions } from './sync/segments/background-compactions.js';
import { compactionsSettled } from './sync/segments/compaction.js';
import { SegmentCache } from './sync/segments/segment-cache.js';
import { TypingThrottle } from './typing/typing-throttle.js';
import { createMailboatYoga, type MailboatYoga } from './yoga.js';

/** `fanout` is set when DATABASE_URL is: events then cross to every node on that database. */
/**
 * `stop` ends everything the app runs in the background (presence, notifications, compactions,
 * the fan-out) and leaves the database open, for a second app on a database another owns;
 * `close` stops it and destroys the database.
 */
export type App = {
  deps: AppDeps;
  yoga: MailboatYoga;
  fanout: PostgresFanout | undefined;
  stop: () => Promise<void>;
  close: () => Promise<void>;
};

/** Opens the configured database (real Postgres when DATABASE_URL is set, else PGlite in DATA_DIR). */
export async function openDatabase(config: Config): Promise<Db> {
  return config.databaseUrl ? connectPostgres(config.databaseUrl) : connectPGlite(`${config.dataDir}/pglite`);
}

/**
 * Migrates `db` to the latest schema and assembles the app around it. `close` destroys the db.
 * With DATABASE_URL, the pubsub also reaches every other node on that database (Postgres
 * LISTEN/NOTIFY, see events/fanout/); with PGlite, it stays in this process.
 */
export async function createApp(config: Config, db?: Db): Promise<App> {
  const database = db ?? (await openDatabase(config));
  await migrateToLatest(database);
  const local = createAppPubSub();
  const fanout = config.databaseUrl ? await PostgresFanout.start({ url: config.databaseUrl, db: database, local }) : undefined;
  // Shared rate-limit counters need their own small pool (kysely keeps its pool to itself).
  // Counters need no durability, so their commits do not wait for the disk.
  const limitsPool = config.databaseUrl
    ? createPool({ connectionString: config.databaseUrl, max: 2, options: '-c synchronous_commit=off' })
    : undefined;
  const deps = createAppDeps({
    db: database,
    pubsub: fanout ? fannedOut(local, fanout.forward) : local,
    config,
    rateLimits: createRateLimits(config, limitsPool),
    eventsFlowing: () => fanout?.listening ?? true,
  });
  deps.notifications.start();
  deps.attachments.sweeper.start();
  const stop = async () => {
    await deps.attachments.sweeper.stop();
    await deps.presence.stop(); // before the fan-out closes: its offline announcements reach the other nodes
    await deps.notifications.stop();
    await compactionsSettled(deps);
    await fanout?.close();
    await limitsPool?.end();
  };
  return {
    deps,
    yoga: createMailboatYoga(deps),
    fanout,
    stop,
    close: async () => {
      await stop();
      await database.destroy();
    },
  };
}

/**
 * Builds every long-lived part of one app (see AppDeps) around its database, pubsub, config
 * and rate limits. Nothing else keeps state across requests: this is the one place to look.
 */
export function createAppDeps(base: {
  db: Db;
  pubsub: PubSub;
  config: Config;
  rateLimits: RateLimits;
  eventsFlowing: () => boolean;
}): AppDeps {
  const { db, pubsub, config } = base;
  const segments = new SegmentCache(config.cachedSegments, config.segmentCacheBytes);
  const compactions = new BackgroundCompactions();
  const notifications = new NotificationWorker({ db, config });
  const store = createObjectStore(config.attachmentStore);
  const attachments = {
    store,
    sweeper: new AttachmentSweeper({ db, store, orphanHours: config.attachmentOrphanHours }),
    completing: new Map(),
  };
  return Object.freeze({
    ...base,
    segments,
    compactions,
    pushes: createPushCommitter({ db, segments, compactions, pubsub, notifications, attachments, config }),
    attachments,
    notifications,
    hub: new EventHub(pubsub),
    streamCaps: new StreamCaps(),
    presence: new PresenceTracker({ db, pubsub, graceSeconds: config.presenceGraceSeconds }),
    typing: new TypingThrottle(),
    decoyPasswordHash: decoyPasswordHash(config.passwordHashCost),
  });
}

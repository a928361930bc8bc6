import type { Config } from './config.js';
import type { AppDeps } from './context.js';
import { connectPGlite, connectPostgres, type Db } from './db/connect.js';
import { migrateToLatest } from './db/migrate.js';
import { createRateLimits } from './http/rate-limits.js';
import { createAppPubSub } from './pubsub.js';
import { compactionsSettled } from './sync/compaction.js';
import { SegmentCache } from './sync/doc-cache.js';
import { createMailboatYoga, type MailboatYoga } from './yoga.js';

export type App = { deps: AppDeps; yoga: MailboatYoga; close: () => Promise<void> };

/** Opens the configured database (real Postgres when DATABASE_URL is set, else PGlite in DATA_DIR). */
export async function openDatabase(config: Config): Promise<Db> {
  return config.databaseUrl ? connectPostgres(config.databaseUrl) : connectPGlite(`${config.dataDir}/pglite`);
}

/** Migrates `db` to the latest schema and assembles the app around it. `close` destroys the db. */
export async function createApp(config: Config, db?: Db): Promise<App> {
  const database = db ?? (await openDatabase(config));
  await migrateToLatest(database);
  const deps: AppDeps = Object.freeze({
    db: database,
    pubsub: createAppPubSub(),
    config,
    rateLimits: createRateLimits(config),
    segments: new SegmentCache(config.cachedSegments),
  });
  return {
    deps,
    yoga: createMailboatYoga(deps),
    close: async () => {
      await compactionsSettled(deps);
      await database.destroy();
    },
  };
}

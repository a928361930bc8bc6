import { openDatabase } from './app.js';
import { loadConfig } from './config.js';
import { migrateToLatest } from './db/migrate.js';

/** `npm run migrate`: applies pending migrations to the configured database and exits. */
const config = loadConfig();
const db = await openDatabase(config);
try {
  const { results } = await migrateToLatest(db);
  for (const r of results ?? []) console.log(`${r.status}: ${r.migrationName}`);
  if (!results?.length) console.log('Database is up to date');
} finally {
  await db.destroy();
}

import { mkdirSync } from 'node:fs';
import { PGlite } from '@electric-sql/pglite';
import { Kysely, PostgresDialect } from 'kysely';
import { PGliteDialect } from 'kysely-pglite-dialect';
import pg from 'pg';
import type { Database } from './tables.js';

export type Db = Kysely<Database>;

// bigint (int8) columns hold sequence numbers and millisecond times, all below 2^53: read them as numbers.
const INT8 = 20;
pg.types.setTypeParser(INT8, (value: string) => Number(value));

/**
 * A pg pool that survives the server going away (Postgres restarted, a backend terminated).
 * pg reports a cut connection as an 'error' event: on the pool for an idle connection, on
 * the client itself for one checked out between two queries (inside a transaction, say);
 * with no listener either would crash the process. Here both are logged: the query in
 * progress fails (its caller retries), the broken connection is dropped when released
 * (pg-pool discards clients that are no longer queryable), and the next query opens a new one.
 */
export function createPool(config: pg.PoolConfig, log = (message: string) => console.error(`[db] ${message}`)): pg.Pool {
  const pool = new pg.Pool(config);
  pool.on('error', (e) => log(`an idle connection was lost (${e.message}); it will be replaced`));
  pool.on('connect', (client) => {
    client.on('error', (e) => log(`a connection in use was lost (${e.message})`));
  });
  return pool;
}

/** Connects to a real Postgres at `url` through a pg pool (see createPool). `db.destroy()` closes the pool. */
export function connectPostgres(url: string, poolSize = 10): Db {
  return new Kysely<Database>({ dialect: new PostgresDialect({ pool: createPool({ connectionString: url, max: poolSize }) }) });
}

/**
 * Opens (creating if needed) the embedded PGlite database persisted in `dataDir`, or an
 * in-memory one when `dataDir` is undefined. Queries are serialized on its single connection,
 * so transactions are isolated. `db.destroy()` closes PGlite.
 */
export async function connectPGlite(dataDir?: string): Promise<Db> {
  if (dataDir) mkdirSync(dataDir, { recursive: true });
  const pglite = await PGlite.create(dataDir, { parsers: { [INT8]: (value: string) => Number(value) } });
  return new Kysely<Database>({ dialect: new PGliteDialect(pglite) });
}

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

/** Connects to a real Postgres at `url` through a pg pool. `db.destroy()` closes the pool. */
export function connectPostgres(url: string, poolSize = 10): Db {
  return new Kysely<Database>({ dialect: new PostgresDialect({ pool: new pg.Pool({ connectionString: url, max: poolSize }) }) });
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

import type { Kysely } from 'kysely';

// Frozen: never edit a migration that has shipped; add a new one.
// Shared rate-limit counters (rate-limiter-flexible's Postgres store), so that every API node
// on one database counts against the same limits. Keys are "<limit>:<user or address>".

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('rate_limits')
    .addColumn('key', 'varchar(255)', (c) => c.primaryKey())
    .addColumn('points', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('expire', 'bigint')
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('rate_limits').execute();
}

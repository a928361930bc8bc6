import type { Kysely } from 'kysely';

// Frozen: never edit a migration that has shipped; add a new one.
// Each used refresh token points at the token it was rotated into, so that a refresh whose
// answer was lost can be retried with the same token (see api/src/auth/refresh.ts).

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .alterTable('refresh_tokens')
    .addColumn('replaced_by', 'uuid', (c) => c.references('refresh_tokens.id').onDelete('set null'))
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('refresh_tokens').dropColumn('replaced_by').execute();
}

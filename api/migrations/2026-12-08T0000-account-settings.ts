import type { Kysely } from 'kysely';

// Frozen: never edit a migration that has shipped; add a new one.
// Two account settings, synced across the user's devices:
// - show_message_text: notifications carry the sender and the text (true), or only "New
//   message" (false), since the push service and the lock screen see what they carry;
// - share_presence: others see when the user is online and was last seen (true); off hides
//   it, and then the user does not see others' either.
// Existing accounts get the defaults (both on), as new accounts do.

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .alterTable('users')
    .addColumn('show_message_text', 'boolean', (c) => c.notNull().defaultTo(true))
    .addColumn('share_presence', 'boolean', (c) => c.notNull().defaultTo(true))
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('users').dropColumn('show_message_text').dropColumn('share_presence').execute();
}

import { type Kysely, sql } from 'kysely';

// Frozen: never edit a migration that has shipped; add a new one.
// Messages keep every version of their text (the document contract's "v:<id>" entries), so the
// API can show a message's edit history. Rows written before hold the text of a contract v1
// document, which is read as one version (id "", at = editedAt ?? createdAt, device unknown):
// they are filled in the same way, and show the same text after the upgrade. A deleted message
// has no versions.

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .alterTable('messages')
    .addColumn('versions', 'jsonb', (c) => c.notNull().defaultTo(sql`'[]'::jsonb`))
    .execute();
  await sql`
    update messages set versions = jsonb_build_array(
      jsonb_build_object('id', '', 'text', text, 'at', coalesce(edited_at, created_at), 'deviceId', null)
    )
    where not deleted`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('messages').dropColumn('versions').execute();
}

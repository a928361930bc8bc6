import { type Kysely, sql } from 'kysely';

// Frozen: never edit a migration that has shipped; add a new one.
// Photos and files. One row per upload, made when it starts (the client's UUID is the id);
// `completed_at` once its bytes are stored, checked and processed (`content_type` is then
// what the bytes are); `message_id` once the message naming it is committed (set in that
// same transaction: a message is accepted only when every upload it names is complete, by
// its author, into its conversation); `deleted_at` when that message is deleted (its
// objects are removed after the commit, then the row). Uploads never named by a message are
// swept after a grace period.

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('attachments')
    .addColumn('id', 'uuid', (c) => c.primaryKey())
    .addColumn('conversation_id', 'uuid', (c) => c.notNull().references('conversations.id').onDelete('cascade'))
    .addColumn('uploader_id', 'uuid', (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('size', 'bigint', (c) => c.notNull())
    .addColumn('upload_id', 'text')
    .addColumn('content_type', 'text')
    .addColumn('width', 'integer')
    .addColumn('height', 'integer')
    .addColumn('stored_bytes', 'bigint')
    .addColumn('thumbnail_bytes', 'bigint')
    .addColumn('message_id', 'uuid')
    .addColumn('position', 'integer')
    .addColumn('thumbhash', 'text')
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('completed_at', 'timestamptz')
    .addColumn('deleted_at', 'timestamptz')
    .execute();
  await db.schema.createIndex('attachments_message_idx').on('attachments').columns(['message_id', 'position']).execute();
  await sql`create index attachments_unlinked_idx on attachments (created_at) where message_id is null`.execute(db);
  await sql`create index attachments_unsent_idx on attachments (uploader_id) where message_id is null`.execute(db);
  await sql`create index attachments_deleted_idx on attachments (deleted_at) where deleted_at is not null`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('attachments').execute();
}

import { type Kysely, sql } from 'kysely';

// Frozen: never edit a migration that has shipped; add a new one.
// txid columns hold the writing transaction's id (xid8). Change feeds page by (txid, id) and
// only return rows whose transaction is older than every transaction still running, so a
// cursor never skips a row that commits late.

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('segments')
    .addColumn('conversation_id', 'uuid', (c) => c.notNull().references('conversations.id').onDelete('cascade'))
    .addColumn('segment', 'integer', (c) => c.notNull())
    .addColumn('last_seq', 'bigint', (c) => c.notNull().defaultTo(0))
    .addColumn('snapshot', 'bytea')
    .addColumn('snapshot_seq', 'bigint', (c) => c.notNull().defaultTo(0))
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addPrimaryKeyConstraint('segments_pk', ['conversation_id', 'segment'])
    .execute();

  await db.schema
    .createTable('segment_updates')
    .addColumn('conversation_id', 'uuid', (c) => c.notNull())
    .addColumn('segment', 'integer', (c) => c.notNull())
    .addColumn('seq', 'bigint', (c) => c.notNull())
    .addColumn('update', 'bytea', (c) => c.notNull())
    .addColumn('device_id', 'uuid', (c) => c.notNull())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addPrimaryKeyConstraint('segment_updates_pk', ['conversation_id', 'segment', 'seq'])
    .addForeignKeyConstraint(
      'segment_updates_segment_fk',
      ['conversation_id', 'segment'],
      'segments',
      ['conversation_id', 'segment'],
      (fk) => fk.onDelete('cascade'),
    )
    .execute();

  await db.schema
    .createTable('segment_clients')
    .addColumn('conversation_id', 'uuid', (c) => c.notNull())
    .addColumn('segment', 'integer', (c) => c.notNull())
    .addColumn('client_id', 'bigint', (c) => c.notNull())
    .addColumn('device_id', 'uuid', (c) => c.notNull())
    .addPrimaryKeyConstraint('segment_clients_pk', ['conversation_id', 'segment', 'client_id'])
    .addForeignKeyConstraint(
      'segment_clients_segment_fk',
      ['conversation_id', 'segment'],
      'segments',
      ['conversation_id', 'segment'],
      (fk) => fk.onDelete('cascade'),
    )
    .execute();

  await db.schema
    .createTable('messages')
    .addColumn('id', 'uuid', (c) => c.primaryKey())
    .addColumn('conversation_id', 'uuid', (c) => c.notNull().references('conversations.id').onDelete('cascade'))
    .addColumn('segment', 'integer', (c) => c.notNull())
    .addColumn('author_id', 'uuid', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('text', 'text', (c) => c.notNull())
    .addColumn('reply_to', 'uuid')
    .addColumn('edited_at', 'bigint')
    .addColumn('deleted', 'boolean', (c) => c.notNull().defaultTo(false))
    .addColumn('reactions', 'jsonb', (c) => c.notNull().defaultTo(sql`'{}'::jsonb`))
    .addColumn('created_txid', sql`xid8`, (c) => c.notNull().defaultTo(sql`pg_current_xact_id()`))
    .addColumn('txid', sql`xid8`, (c) => c.notNull().defaultTo(sql`pg_current_xact_id()`))
    .addColumn('changed_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();
  await db.schema.createIndex('messages_order_idx').on('messages').columns(['conversation_id', 'created_at', 'id']).execute();
  await db.schema.createIndex('messages_changes_idx').on('messages').columns(['txid', 'id']).execute();
  await db.schema.createIndex('messages_conversation_changes_idx').on('messages').columns(['conversation_id', 'txid', 'id']).execute();
  await db.schema.createIndex('messages_changed_at_idx').on('messages').columns(['changed_at', 'id']).execute();

  await db.schema
    .createTable('receipts')
    .addColumn('conversation_id', 'uuid', (c) => c.notNull().references('conversations.id').onDelete('cascade'))
    .addColumn('user_id', 'uuid', (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addColumn('delivered_at', 'bigint', (c) => c.notNull().defaultTo(0))
    .addColumn('delivered_id', 'uuid')
    .addColumn('read_at', 'bigint', (c) => c.notNull().defaultTo(0))
    .addColumn('read_id', 'uuid')
    .addPrimaryKeyConstraint('receipts_pk', ['conversation_id', 'user_id'])
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const table of ['receipts', 'messages', 'segment_clients', 'segment_updates', 'segments']) {
    await db.schema.dropTable(table).execute();
  }
}

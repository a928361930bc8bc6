import { type Kysely, sql } from 'kysely';

// Frozen: never edit a migration that has shipped; add a new one.
// Web Push notifications (issue 17):
// - push_subscriptions: at most one per device (what its browser's pushManager.subscribe gave);
//   deleted with the device row, and explicitly when the device is revoked or signs out (its row
//   stays then), or when the push service answers 404/410.
// - conversation_mutes: a member's mute of a conversation, until a time or (null) always; gone
//   when the membership is.
// - notification_jobs: the send queue, one row per (device, conversation). New messages add to
//   `pending` instead of adding rows (collapse); `due_at` keeps a minimum interval after
//   `last_sent_at`; `locked_until` is the lease of the node sending it (FOR UPDATE SKIP
//   LOCKED claims). A row with nothing pending stays as the memory of the last send.
// Nothing existing is rewritten: the tables start empty.

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('push_subscriptions')
    .addColumn('device_id', 'uuid', (c) => c.primaryKey().references('devices.id').onDelete('cascade'))
    .addColumn('user_id', 'uuid', (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addColumn('endpoint', 'text', (c) => c.notNull())
    .addColumn('p256dh', 'text', (c) => c.notNull())
    .addColumn('auth', 'text', (c) => c.notNull())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('last_success_at', 'timestamptz')
    .execute();
  await db.schema.createIndex('push_subscriptions_user_idx').on('push_subscriptions').column('user_id').execute();

  await db.schema
    .createTable('conversation_mutes')
    .addColumn('conversation_id', 'uuid', (c) => c.notNull())
    .addColumn('user_id', 'uuid', (c) => c.notNull())
    .addColumn('until', 'timestamptz')
    .addPrimaryKeyConstraint('conversation_mutes_pk', ['conversation_id', 'user_id'])
    .addForeignKeyConstraint(
      'conversation_mutes_member_fk',
      ['conversation_id', 'user_id'],
      'conversation_members',
      ['conversation_id', 'user_id'],
      (fk) => fk.onDelete('cascade'),
    )
    .execute();

  await db.schema
    .createTable('notification_jobs')
    .addColumn('device_id', 'uuid', (c) => c.notNull().references('push_subscriptions.device_id').onDelete('cascade'))
    .addColumn('conversation_id', 'uuid', (c) => c.notNull().references('conversations.id').onDelete('cascade'))
    .addColumn('user_id', 'uuid', (c) => c.notNull())
    .addColumn('pending', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('newest_message_id', 'uuid')
    .addColumn('newest_created_at', 'bigint', (c) => c.notNull().defaultTo(0))
    .addColumn('due_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('last_sent_at', 'timestamptz')
    .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('locked_until', 'timestamptz')
    .addPrimaryKeyConstraint('notification_jobs_pk', ['device_id', 'conversation_id'])
    .execute();
  await sql`create index notification_jobs_due_idx on notification_jobs (due_at) where pending > 0`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('notification_jobs').execute();
  await db.schema.dropTable('conversation_mutes').execute();
  await db.schema.dropTable('push_subscriptions').execute();
}

import { type Kysely, sql } from 'kysely';

// Frozen: never edit a migration that has shipped; add a new one.
// Presence ("online" / "last seen"), shared by every API node:
// - device_presence: one row per device that ever held an events stream. A node holding a
//   stream of the device keeps online_until a little in the future (refreshed on a timer) and
//   sets it to now when the device's last stream on it closes; a node that crashed leaves
//   rows that simply run out. A user is online while any row of theirs is in the future.
// - user_presence: the state last announced to other users (one row per user, updated with
//   a conditional upsert), so each online/offline transition is published by exactly one node.

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('device_presence')
    .addColumn('device_id', 'uuid', (c) => c.primaryKey().references('devices.id').onDelete('cascade'))
    .addColumn('user_id', 'uuid', (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addColumn('online_until', 'timestamptz', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('device_presence_user_idx').on('device_presence').columns(['user_id', 'online_until']).execute();
  await db.schema.createIndex('device_presence_until_idx').on('device_presence').column('online_until').execute();

  await db.schema
    .createTable('user_presence')
    .addColumn('user_id', 'uuid', (c) => c.primaryKey().references('users.id').onDelete('cascade'))
    .addColumn('online', 'boolean', (c) => c.notNull())
    .addColumn('changed_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();
  await sql`create index user_presence_online_idx on user_presence (user_id) where online`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('user_presence').execute();
  await db.schema.dropTable('device_presence').execute();
}

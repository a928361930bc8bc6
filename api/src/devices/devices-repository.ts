import { sql } from 'kysely';
import type { Db } from '../db/connect.js';
import type { DeviceRow, NewDevice } from '../db/tables.js';

export async function insertDevice(db: Db, device: NewDevice): Promise<DeviceRow> {
  return db.insertInto('devices').values(device).returningAll().executeTakeFirstOrThrow();
}

export async function findDevice(db: Db, id: string): Promise<DeviceRow | undefined> {
  return db.selectFrom('devices').selectAll().where('id', '=', id).executeTakeFirst();
}

export async function findDevicesByIds(db: Db, ids: readonly string[]): Promise<DeviceRow[]> {
  if (ids.length === 0) return [];
  return db.selectFrom('devices').selectAll().where('id', 'in', ids).execute();
}

/** Locks the device row for the rest of the transaction. */
export async function lockDevice(db: Db, id: string): Promise<DeviceRow | undefined> {
  return db.selectFrom('devices').selectAll().where('id', '=', id).forUpdate().executeTakeFirst();
}

/** A user's active devices in (created_at, id) order, keyset-paginated. */
export async function listActiveDevices(
  db: Db,
  userId: string,
  page: { after?: [Date, string]; before?: [Date, string]; limit: number; inverted: boolean },
): Promise<DeviceRow[]> {
  let q = db.selectFrom('devices').selectAll().where('user_id', '=', userId).where('revoked_at', 'is', null);
  if (page.after) q = q.where(sql<boolean>`(created_at, id) > (${page.after[0]}, ${page.after[1]})`);
  if (page.before) q = q.where(sql<boolean>`(created_at, id) < (${page.before[0]}, ${page.before[1]})`);
  const dir = page.inverted ? 'desc' : 'asc';
  return q.orderBy('created_at', dir).orderBy('id', dir).limit(page.limit).execute();
}

/** Marks the device seen now, at most once a minute (so reads do not each cost a write). */
export async function touchDevice(db: Db, id: string): Promise<void> {
  await db
    .updateTable('devices')
    .set({ last_seen_at: sql`now()` })
    .where('id', '=', id)
    .where('last_seen_at', '<', sql<Date>`now() - interval '1 minute'`)
    .execute();
}

/**
 * Revokes the given active devices of `userId`; returns those it revoked. In the same statement
 * their Web Push subscriptions (and queued notifications) are deleted: a revoked device's row
 * stays, so the foreign key's cascade would not.
 */
export async function revokeDevices(db: Db, userId: string, ids: readonly string[] | 'all', reason: string): Promise<DeviceRow[]> {
  if (ids !== 'all' && ids.length === 0) return [];
  const q = db
    .with('revoked', (w) => {
      let u = w
        .updateTable('devices')
        .set({ revoked_at: sql`now()`, revoke_reason: reason })
        .where('user_id', '=', userId)
        .where('revoked_at', 'is', null);
      if (ids !== 'all') u = u.where('id', 'in', ids);
      return u.returningAll();
    })
    .with('unsubscribed', (w) =>
      w.deleteFrom('push_subscriptions').where('device_id', 'in', (s) => s.selectFrom('revoked').select('revoked.id')),
    )
    .selectFrom('revoked')
    .selectAll();
  return (await q.execute()) as DeviceRow[];
}

/** Records that the device finished a sync now (devices.last_sync_at). */
export async function markDeviceSynced(db: Db, deviceId: string): Promise<void> {
  await db.updateTable('devices').set({ last_sync_at: sql<Date>`now()` }).where('id', '=', deviceId).execute();
}

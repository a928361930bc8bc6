import { sql } from 'kysely';
import type { Db } from '../db/connect.js';

// Presence rows (migration 2026-12-08T0200): device_presence says until when each device
// counts as online (the database's clock decides, so nodes need not agree on the time);
// user_presence holds the state last announced per user. Each function here is ONE
// statement: the announced row is flipped by a conditional upsert, so of two nodes making
// the same transition only one gets the row back (and announces it).

/** A user whose announced state this statement flipped; lastSeenAt is set when they went offline. */
export type Flip = { userId: string; online: boolean; lastSeenAt: Date | null };

const seconds = (n: number) => sql`make_interval(secs => ${n}::double precision)`;

/**
 * Marks the device online for `ttlSeconds` (nothing when it is revoked or gone). Returns the
 * flip when this made its user's announced state online.
 */
export async function markDeviceOnline(db: Db, deviceId: string, ttlSeconds: number): Promise<Flip | undefined> {
  const { rows } = await sql<{ user_id: string }>`
    with mark as (
      insert into device_presence (device_id, user_id, online_until)
      select id, user_id, now() + ${seconds(ttlSeconds)} from devices where id = ${deviceId} and revoked_at is null
      on conflict (device_id) do update set online_until = excluded.online_until
      returning user_id
    )
    insert into user_presence (user_id, online, changed_at)
    select user_id, true, now() from mark
    on conflict (user_id) do update set online = true, changed_at = now() where not user_presence.online
    returning user_id`.execute(db);
  const row = rows[0];
  return row && { userId: row.user_id, online: true, lastSeenAt: null };
}

/**
 * Marks the device offline as of `agoSeconds` before now (never later than it already was).
 * Returns the flip when this made its user's announced state offline (no other device of the
 * user is online).
 */
export async function markDeviceOffline(db: Db, deviceId: string, agoSeconds = 0): Promise<Flip | undefined> {
  const { rows } = await sql<{ user_id: string; last_seen_at: Date }>`
    with gone as (
      update device_presence set online_until = least(online_until, now() - ${seconds(agoSeconds)})
      where device_id = ${deviceId}
      returning user_id, online_until
    )
    update user_presence p set online = false, changed_at = now()
    from gone
    where p.user_id = gone.user_id and p.online
      and not exists (
        select 1 from device_presence o where o.user_id = gone.user_id and o.device_id <> ${deviceId} and o.online_until > now()
      )
    returning p.user_id, greatest(gone.online_until, (
      select max(o.online_until) from device_presence o where o.user_id = gone.user_id and o.device_id <> ${deviceId}
    )) as last_seen_at`.execute(db);
  const row = rows[0];
  return row && { userId: row.user_id, online: false, lastSeenAt: new Date(row.last_seen_at) };
}

/**
 * Moves the online_until of these devices to `ttlSeconds` from now, for those still online
 * (a device marked offline stays offline); returns the ids it moved.
 */
export async function refreshDevices(db: Db, deviceIds: readonly string[], ttlSeconds: number): Promise<string[]> {
  if (deviceIds.length === 0) return [];
  const rows = await db
    .updateTable('device_presence')
    .set({ online_until: sql<Date>`now() + ${seconds(ttlSeconds)}` })
    .where('device_id', 'in', deviceIds)
    .where('online_until', '>', sql<Date>`now()`)
    .returning('device_id')
    .execute();
  return rows.map((r) => r.device_id);
}

/** Ends these devices' presence now (a node shutting down); their users' transitions come from settleAnnounced. */
export async function endDevices(db: Db, deviceIds: readonly string[]): Promise<void> {
  if (deviceIds.length === 0) return;
  await db
    .updateTable('device_presence')
    .set({ online_until: sql<Date>`least(online_until, now())` })
    .where('device_id', 'in', deviceIds)
    .execute();
}

/**
 * Brings every announced state in line with the devices: users announced online whose rows
 * all ran out (a node crashed) go offline, users with an online device announced offline (a
 * lost race between two nodes) go online. Returns the flips this statement made.
 */
export async function settleAnnounced(db: Db): Promise<Flip[]> {
  const { rows } = await sql<{ user_id: string; online: boolean; last_seen_at: Date | null }>`
    with live as (
      select distinct user_id from device_presence where online_until > now()
    ), flip as (
      select p.user_id, false as online,
        (select least(max(d.online_until), now()) from device_presence d where d.user_id = p.user_id having count(*) > 0) as last_seen_at
      from user_presence p
      where p.online and not exists (select 1 from live l where l.user_id = p.user_id)
      union all
      select l.user_id, true, null::timestamptz
      from live l
      where not exists (select 1 from user_presence p where p.user_id = l.user_id and p.online)
    ), done as (
      insert into user_presence (user_id, online, changed_at)
      select user_id, online, now() from flip
      on conflict (user_id) do update set online = excluded.online, changed_at = now()
      where user_presence.online <> excluded.online
      returning user_id, online
    )
    select done.user_id, done.online, flip.last_seen_at from done join flip using (user_id)`.execute(db);
  return rows.map((r) => ({ userId: r.user_id, online: r.online, lastSeenAt: r.last_seen_at && new Date(r.last_seen_at) }));
}

/**
 * Who hears about these users' presence: each (subject, viewer) pair of users sharing a
 * conversation, both sharing their presence.
 */
export async function findPresenceAudience(db: Db, subjectIds: readonly string[]): Promise<{ subject: string; viewer: string }[]> {
  if (subjectIds.length === 0) return [];
  return db
    .selectFrom('conversation_members as s')
    .innerJoin('conversation_members as v', (j) =>
      j.onRef('v.conversation_id', '=', 's.conversation_id').onRef('v.user_id', '<>', 's.user_id'),
    )
    .innerJoin('users as su', 'su.id', 's.user_id')
    .innerJoin('users as vu', 'vu.id', 'v.user_id')
    .select(['s.user_id as subject', 'v.user_id as viewer'])
    .distinct()
    .where('s.user_id', 'in', subjectIds)
    .where('su.share_presence', '=', true)
    .where('vu.share_presence', '=', true)
    .execute();
}

/** A user's presence as the devices have it: online while a device is; else the newest online_until, at most now (null: never seen). */
export type PresenceRow = { userId: string; online: boolean; lastSeenAt: Date | null };

/**
 * The presence of those among `userIds` whom `viewerId` may see: not the viewer, sharing a
 * conversation with them, and both sharing presence (one query). Users left out are hidden.
 */
export async function findVisiblePresence(db: Db, viewerId: string, userIds: readonly string[]): Promise<PresenceRow[]> {
  if (userIds.length === 0) return [];
  const { rows } = await sql<{ id: string; online: boolean | null; last_seen_at: Date | null }>`
    select u.id, bool_or(d.online_until > now()) as online,
      case when max(d.online_until) is null then null else least(max(d.online_until), now()) end as last_seen_at
    from users u
    left join device_presence d on d.user_id = u.id
    where u.id in (${sql.join(userIds)}) and u.id <> ${viewerId} and u.share_presence
      and exists (select 1 from users me where me.id = ${viewerId} and me.share_presence)
      and exists (
        select 1 from conversation_members a
        join conversation_members b on b.conversation_id = a.conversation_id
        where a.user_id = ${viewerId} and b.user_id = u.id
      )
    group by u.id`.execute(db);
  return rows.map((r) => ({
    userId: r.id,
    online: r.online === true,
    lastSeenAt: r.online === true || r.last_seen_at === null ? null : new Date(r.last_seen_at),
  }));
}

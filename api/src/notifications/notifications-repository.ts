import { INLINE_IMAGE_TYPES } from '@mailboat/schema';
import { sql } from 'kysely';
import type { Db } from '../db/connect.js';
import type { ConversationMuteRow, PushSubscriptionRow } from '../db/tables.js';

// The queries of Web Push notifications: subscriptions, mutes, and the job queue
// (notification_jobs, one row per device and conversation; see the migration
// 2026-12-08T0100-notifications for its columns).

const NIL_UUID = '00000000-0000-0000-0000-000000000000';

/** A message a group commit newly created: what enqueueing needs of it. */
export type CreatedMessage = { id: string; conversationId: string; authorId: string; createdAt: number };

/**
 * In the caller's (group commit) transaction, one statement: for each created message, adds it to
 * the job of every push subscription of every other member of its conversation, except members
 * who muted it (until null or later than now) and revoked or expired devices. A job with nothing
 * pending becomes due at once, or `intervalSeconds` after its last send; a job already pending
 * keeps its due time (the new messages collapse into it). Returns how many jobs it touched.
 */
export async function enqueueNotifications(trx: Db, messages: readonly CreatedMessage[], intervalSeconds: number): Promise<number> {
  if (messages.length === 0) return 0;
  const rows = messages.map((m) => ({ id: m.id, c: m.conversationId, a: m.authorId, t: m.createdAt }));
  // The subscriptions are locked (FOR KEY SHARE) as they are read: one deleted meanwhile (a
  // push service answered 410 on another node) is then skipped instead of failing the
  // foreign key, and with it the commit of the messages.
  const result = await sql`
    with targets as (
      select s.device_id, s.user_id, m.c, m.id, m.t
      from json_to_recordset(${JSON.stringify(rows)}::json) as m(id uuid, c uuid, a uuid, t bigint)
      join conversation_members cm on cm.conversation_id = m.c and cm.user_id <> m.a
      join push_subscriptions s on s.user_id = cm.user_id
      join devices d on d.id = s.device_id and d.revoked_at is null and d.session_expires_at > now()
      where not exists (
        select 1 from conversation_mutes mu
        where mu.conversation_id = m.c and mu.user_id = cm.user_id and (mu.until is null or mu.until > now())
      )
      for key share of s
    )
    insert into notification_jobs as j (device_id, conversation_id, user_id, pending, newest_message_id, newest_created_at, due_at)
    select device_id, c, user_id, count(*)::integer, (array_agg(id order by t desc, id desc))[1], max(t), now()
    from targets
    group by device_id, c, user_id
    on conflict (device_id, conversation_id) do update set
      pending = j.pending + excluded.pending,
      newest_message_id = case when excluded.newest_created_at >= j.newest_created_at then excluded.newest_message_id else j.newest_message_id end,
      newest_created_at = greatest(j.newest_created_at, excluded.newest_created_at),
      due_at = case when j.pending > 0 then j.due_at
        else greatest(now(), coalesce(j.last_sent_at + make_interval(secs => ${intervalSeconds}), now())) end,
      attempts = case when j.pending > 0 then j.attempts else 0 end`.execute(trx);
  return Number(result.numAffectedRows ?? 0);
}

/** A claimed job with everything its notification needs, read in the claiming statement. */
export type ClaimedJob = {
  device_id: string;
  conversation_id: string;
  user_id: string;
  /** Messages pending when claimed (what a successful send takes off). */
  pending: number;
  attempts: number;
  endpoint: string;
  p256dh: string;
  auth: string;
  show_message_text: boolean;
  kind: 'direct' | 'group';
  conversation_title: string | null;
  /** False when the recipient left the conversation or muted it since the job was queued. */
  deliverable: boolean;
  /** The newest unread message by someone else, not deleted (null: everything is read). */
  message_id: string | null;
  message_text: string | null;
  /** That message's photos and files: how many, how many are inline images, the first one's name (null: none). */
  message_files: { count: number; images: number; first: string } | null;
  sender_name: string | null;
  /** Unread messages by others in this conversation (at most 1000). */
  unread: number;
  /** The recipient's conversations with unread messages. */
  unread_conversations: number;
};

/**
 * Claims up to `limit` due jobs (pending, due, not leased or lease expired), skipping rows other
 * senders lock (FOR UPDATE SKIP LOCKED), leases them for `leaseSeconds`, and returns them with
 * their subscription and what the notification says. One short statement: nothing is held while
 * the caller sends.
 */
export async function claimDueJobs(db: Db, limit: number, leaseSeconds: number): Promise<ClaimedJob[]> {
  const result = await sql<ClaimedJob>`
    with claimed as (
      update notification_jobs j set locked_until = now() + make_interval(secs => ${leaseSeconds})
      where (j.device_id, j.conversation_id) in (
        select device_id, conversation_id from notification_jobs
        where pending > 0 and due_at <= now() and (locked_until is null or locked_until < now())
        order by due_at
        limit ${limit}
        for update skip locked
      )
      returning j.device_id, j.conversation_id, j.user_id, j.pending, j.attempts
    )
    select c.device_id, c.conversation_id, c.user_id, c.pending, c.attempts,
      s.endpoint, s.p256dh, s.auth, u.show_message_text, conv.kind, conv.title as conversation_title,
      (cm.user_id is not null and not exists (
        select 1 from conversation_mutes mu
        where mu.conversation_id = c.conversation_id and mu.user_id = c.user_id and (mu.until is null or mu.until > now())
      )) as deliverable,
      newest.id as message_id, newest.text as message_text, author.display_name as sender_name,
      (select case when count(*) = 0 then null else json_build_object(
          'count', count(*)::integer,
          'images', (count(*) filter (where a.content_type in (${sql.join([...INLINE_IMAGE_TYPES])})))::integer,
          'first', (array_agg(a.name order by a.position))[1]) end
        from attachments a where a.message_id = newest.id and a.deleted_at is null) as message_files,
      (select count(*)::integer from (
        select 1 from messages msg
        where msg.conversation_id = c.conversation_id and msg.author_id <> c.user_id and not msg.deleted
          and (msg.created_at, msg.id) > (coalesce(r.read_at, 0), coalesce(r.read_id, ${NIL_UUID}::uuid))
        limit 1000) unread_rows) as unread,
      (select count(*)::integer from conversation_members mine
        left join receipts mr on mr.conversation_id = mine.conversation_id and mr.user_id = mine.user_id
        where mine.user_id = c.user_id and exists (
          select 1 from messages msg
          where msg.conversation_id = mine.conversation_id and msg.author_id <> c.user_id and not msg.deleted
            and (msg.created_at, msg.id) > (coalesce(mr.read_at, 0), coalesce(mr.read_id, ${NIL_UUID}::uuid)))
      ) as unread_conversations
    from claimed c
    join push_subscriptions s on s.device_id = c.device_id
    join users u on u.id = c.user_id
    join conversations conv on conv.id = c.conversation_id
    left join conversation_members cm on cm.conversation_id = c.conversation_id and cm.user_id = c.user_id
    left join receipts r on r.conversation_id = c.conversation_id and r.user_id = c.user_id
    left join lateral (
      select msg.id, msg.text, msg.author_id from messages msg
      where msg.conversation_id = c.conversation_id and msg.author_id <> c.user_id and not msg.deleted
        and (msg.created_at, msg.id) > (coalesce(r.read_at, 0), coalesce(r.read_id, ${NIL_UUID}::uuid))
      order by msg.created_at desc, msg.id desc
      limit 1
    ) newest on true
    left join users author on author.id = newest.author_id`.execute(db);
  return result.rows.map((row) => ({ ...row, pending: Number(row.pending), unread: Number(row.unread) }));
}

type JobKey = { device_id: string; conversation_id: string };

/**
 * Settles a claimed job: takes its `taken` messages off pending (messages queued while it was
 * sent stay, due `intervalSeconds` from now) and releases the lease. With `sent`, records the
 * send (last_sent_at, the subscription's last_success_at).
 */
export async function settleJob(db: Db, job: JobKey, taken: number, intervalSeconds: number, sent: boolean): Promise<void> {
  await sql`
    with settled as (
      update notification_jobs set
        pending = greatest(pending - ${taken}, 0), attempts = 0, locked_until = null,
        last_sent_at = case when ${sent} then now() else last_sent_at end,
        due_at = case when ${sent} then now() + make_interval(secs => ${intervalSeconds}) else now() end
      where device_id = ${job.device_id} and conversation_id = ${job.conversation_id}
    )
    update push_subscriptions set last_success_at = now() where ${sent} and device_id = ${job.device_id}`.execute(db);
}

/** Puts a claimed job back, due in `delaySeconds`, one attempt more; releases the lease. */
export async function retryJobLater(db: Db, job: JobKey, delaySeconds: number): Promise<void> {
  await sql`
    update notification_jobs set attempts = attempts + 1, locked_until = null, due_at = now() + make_interval(secs => ${delaySeconds})
    where device_id = ${job.device_id} and conversation_id = ${job.conversation_id}`.execute(db);
}

/** Forgets rows with nothing pending whose last send is older than `seconds` (they no longer hold a send back). */
export async function purgeSettledJobs(db: Db, seconds: number): Promise<void> {
  await sql`
    delete from notification_jobs
    where pending = 0 and locked_until is null and (last_sent_at is null or last_sent_at < now() - make_interval(secs => ${seconds}))`.execute(
    db,
  );
}

/** The push subscription of a device, if any. */
export async function findSubscription(db: Db, deviceId: string): Promise<PushSubscriptionRow | undefined> {
  return db.selectFrom('push_subscriptions').selectAll().where('device_id', '=', deviceId).executeTakeFirst();
}

/** Which of these devices have a push subscription. */
export async function devicesWithSubscriptions(db: Db, deviceIds: readonly string[]): Promise<Set<string>> {
  if (deviceIds.length === 0) return new Set();
  const rows = await db.selectFrom('push_subscriptions').select('device_id').where('device_id', 'in', deviceIds).execute();
  return new Set(rows.map((r) => r.device_id));
}

/** Sets the device's subscription, replacing its previous one (and forgetting that one's queued jobs' history is kept). */
export async function upsertSubscription(
  db: Db,
  s: { deviceId: string; userId: string; endpoint: string; p256dh: string; auth: string },
): Promise<void> {
  await db
    .insertInto('push_subscriptions')
    .values({ device_id: s.deviceId, user_id: s.userId, endpoint: s.endpoint, p256dh: s.p256dh, auth: s.auth })
    .onConflict((oc) =>
      oc
        .column('device_id')
        .doUpdateSet({ endpoint: s.endpoint, p256dh: s.p256dh, auth: s.auth, created_at: sql`now()`, last_success_at: null }),
    )
    .execute();
}

/** Deletes the device's subscription (its jobs go with it); true when there was one. */
export async function deleteSubscription(db: Db, deviceId: string): Promise<boolean> {
  const result = await db.deleteFrom('push_subscriptions').where('device_id', '=', deviceId).executeTakeFirst();
  return Number(result.numDeletedRows) > 0;
}

/** Mutes a conversation for a member until `until` (null: always), replacing an earlier mute. */
export async function setMute(db: Db, conversationId: string, userId: string, until: Date | null): Promise<ConversationMuteRow> {
  return db
    .insertInto('conversation_mutes')
    .values({ conversation_id: conversationId, user_id: userId, until })
    .onConflict((oc) => oc.columns(['conversation_id', 'user_id']).doUpdateSet({ until }))
    .returningAll()
    .executeTakeFirstOrThrow();
}

/** Ends a member's mute of a conversation (nothing when there is none). */
export async function deleteMute(db: Db, conversationId: string, userId: string): Promise<void> {
  await db.deleteFrom('conversation_mutes').where('conversation_id', '=', conversationId).where('user_id', '=', userId).execute();
}

/** The user's active mutes (until null or later than now) among these conversations. */
export async function findActiveMutes(db: Db, userId: string, conversationIds: readonly string[]): Promise<ConversationMuteRow[]> {
  if (conversationIds.length === 0) return [];
  return db
    .selectFrom('conversation_mutes')
    .selectAll()
    .where('user_id', '=', userId)
    .where('conversation_id', 'in', conversationIds)
    .where((eb) => eb.or([eb('until', 'is', null), eb('until', '>', sql<Date>`now()`)]))
    .execute();
}

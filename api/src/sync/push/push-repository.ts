import type { Message } from '@mailboat/schema';
import { sql } from 'kysely';
import type { Db } from '../../db/connect.js';
import type { SegmentKey } from '../segments/segments-repository.js';

// The statements of one group commit (push-group.ts): each reads or writes for every request
// of the group at once, so a group costs the same few round trips whatever its size. Rows go
// to Postgres as one JSON parameter per table (json_to_recordset), which keeps the parameter
// count constant and works the same on PGlite.

const hex = (bytes: Uint8Array) => Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('hex');

/** Every member of each of these conversations. */
export async function listMembersOf(db: Db, conversationIds: string[]): Promise<Map<string, string[]>> {
  const members = new Map<string, string[]>(conversationIds.map((id) => [id, []]));
  if (conversationIds.length === 0) return members;
  const rows = await db
    .selectFrom('conversation_members')
    .select(['conversation_id', 'user_id'])
    .where('conversation_id', 'in', conversationIds)
    .execute();
  for (const r of rows) members.get(r.conversation_id)?.push(r.user_id);
  return members;
}

export type SegmentSeqs = { lastSeq: number; snapshotSeq: number };
export type Locked = {
  /** The (conversation, user) pairs asked about that are memberships, as `${conversationId}:${userId}`. */
  members: Set<string>;
  /** Every locked segment's seqs, by `${conversationId}:${segment}`. */
  segments: Map<string, SegmentSeqs>;
  /** When each conversation of those memberships was created (ms since the epoch). */
  starts: Map<string, number>;
};

/**
 * For writes to (conversation, segment) on behalf of a user: keeps those whose user is a member
 * of the conversation, creates their missing segment rows and locks every one of their segments
 * for the rest of the transaction, in one statement (a second one locks rows another writer
 * created meanwhile), which also reads when those conversations were created. New rows are
 * inserted and existing ones locked in sorted (conversation, segment) order, so writers locking
 * overlapping sets cannot deadlock. Segments only non-members asked for are neither created
 * nor locked.
 */
export async function lockMemberSegments(db: Db, wanted: (SegmentKey & { userId: string })[]): Promise<Locked> {
  const locked: Locked = { members: new Set(), segments: new Map(), starts: new Map() };
  if (wanted.length === 0) return locked;
  const rows = await sql<{
    conversation_id: string;
    segment: number | null;
    user_id: string | null;
    last_seq: number;
    snapshot_seq: number;
    started_at: Date | string | null;
  }>`
    with w as (
      select * from json_to_recordset(${JSON.stringify(wanted)}::json) as w("conversationId" uuid, segment integer, "userId" uuid)
    ), m as (
      select distinct m.conversation_id, m.user_id, c.created_at from conversation_members m
      join w on m.conversation_id = w."conversationId" and m.user_id = w."userId"
      join conversations c on c.id = m.conversation_id
    ), k as (
      select distinct w."conversationId" as conversation_id, w.segment from w
      join m on m.conversation_id = w."conversationId" and m.user_id = w."userId"
    ), created as (
      insert into segments (conversation_id, segment)
      select conversation_id, segment from k order by 1, 2
      on conflict (conversation_id, segment) do nothing
      returning conversation_id, segment, last_seq, snapshot_seq
    ), existing as (
      select s.conversation_id, s.segment, s.last_seq, s.snapshot_seq
      from segments s join k on s.conversation_id = k.conversation_id and s.segment = k.segment
      order by 1, 2
      for update of s
    )
    select conversation_id, segment, null::uuid as user_id, last_seq, snapshot_seq, null::timestamptz as started_at from created
    union all select conversation_id, segment, null, last_seq, snapshot_seq, null from existing
    union all select conversation_id, null, user_id, 0, 0, created_at from m`.execute(db);
  const keep = (r: { conversation_id: string; segment: number | null; last_seq: number; snapshot_seq: number }) =>
    locked.segments.set(`${r.conversation_id}:${r.segment}`, { lastSeq: Number(r.last_seq), snapshotSeq: Number(r.snapshot_seq) });
  for (const r of rows.rows) {
    if (r.user_id === null) keep(r);
    else {
      locked.members.add(`${r.conversation_id}:${r.user_id}`);
      locked.starts.set(r.conversation_id, new Date(r.started_at as Date | string).getTime());
    }
  }
  // A row another transaction created and committed while this statement ran is neither inserted
  // by it nor visible to its snapshot: lock those in a statement of their own (a fresh snapshot).
  const late = new Map<string, SegmentKey>();
  for (const w of wanted) {
    const name = `${w.conversationId}:${w.segment}`;
    if (locked.members.has(`${w.conversationId}:${w.userId}`) && !locked.segments.has(name)) late.set(name, w);
  }
  if (late.size > 0) {
    const keys = [...late.values()].map((k) => ({ conversationId: k.conversationId, segment: k.segment })).sort(compareKeys);
    const again = await sql<{ conversation_id: string; segment: number; last_seq: number; snapshot_seq: number }>`
      select s.conversation_id, s.segment, s.last_seq, s.snapshot_seq
      from segments s join json_to_recordset(${JSON.stringify(keys)}::json) as k("conversationId" uuid, segment integer)
        on s.conversation_id = k."conversationId" and s.segment = k.segment
      order by 1, 2
      for update of s`.execute(db);
    for (const r of again.rows) keep(r);
  }
  return locked;
}

/** Which device first wrote with each Yjs client ID, for each of these segments (`${conversationId}:${segment}`). */
export async function findClientOwnersOf(db: Db, keys: SegmentKey[]): Promise<Map<string, Map<number, string>>> {
  const owners = new Map<string, Map<number, string>>(keys.map((k) => [`${k.conversationId}:${k.segment}`, new Map()]));
  if (keys.length === 0) return owners;
  const rows = await sql<{ conversation_id: string; segment: number; client_id: number; device_id: string }>`
    select c.conversation_id, c.segment, c.client_id, c.device_id
    from json_to_recordset(${JSON.stringify(keys)}::json) as k("conversationId" uuid, segment integer)
    join segment_clients c on c.conversation_id = k."conversationId" and c.segment = k.segment`.execute(db);
  for (const r of rows.rows) owners.get(`${r.conversation_id}:${r.segment}`)?.set(Number(r.client_id), r.device_id);
  return owners;
}

/** Which of these (conversation, message id) pairs are stored messages, as `${conversationId}:${id}`. */
export async function findMessagesIn(db: Db, pairs: { conversationId: string; id: string }[]): Promise<Set<string>> {
  const rows = await sql<{ conversation_id: string; id: string }>`
    select m.conversation_id, m.id from messages m
    join json_to_recordset(${JSON.stringify(pairs)}::json) as x("conversationId" uuid, id uuid)
      on m.conversation_id = x."conversationId" and m.id = x.id`.execute(db);
  return new Set(rows.rows.map((r) => `${r.conversation_id}:${r.id}`));
}

export type PushedUpdate = SegmentKey & { seq: number; update: Uint8Array; deviceId: string };
export type PushedClient = SegmentKey & { clientId: number; deviceId: string };
/** One version of a message's text as the projection keeps it, with the device that wrote it (null when unknown). */
export type ProjectedVersion = { id: string; text: string; at: number; deviceId: string | null };
export type ProjectedMessage = SegmentKey & Omit<Message, 'versions'> & { authorId: string; versions: ProjectedVersion[] };

export type PushWrites = {
  updates: PushedUpdate[];
  /** Each written segment's new last_seq. */
  lastSeqs: (SegmentKey & { lastSeq: number })[];
  clients: PushedClient[];
  /** The current state of every message the updates create or change (each id at most once). */
  messages: ProjectedMessage[];
};

/**
 * Stores a group's accepted updates in one statement: appends them to the update log, moves
 * each segment's last_seq, binds new Yjs client IDs to devices, and writes the messages'
 * current state to the projection, every version of its text included (a changed row gets
 * this transaction's id and time, which change feeds page by; an unchanged one is left alone:
 * a concurrent edit that arrives late and loses still changes the row, through its history). A message id belongs to one
 * conversation and segment for good: a row of another segment is never overwritten.
 * Returns the ids that were inserted as new rows (a created id missing from it was taken).
 */
export async function writePushed(db: Db, w: PushWrites): Promise<Set<string>> {
  const updates = w.updates.map((u) => ({ c: u.conversationId, s: u.segment, q: u.seq, u: hex(u.update), d: u.deviceId }));
  const seqs = w.lastSeqs.map((l) => ({ c: l.conversationId, s: l.segment, q: l.lastSeq }));
  const clients = w.clients.map((c) => ({ c: c.conversationId, s: c.segment, k: c.clientId, d: c.deviceId }));
  const messages = w.messages.map((m) => ({
    id: m.id,
    c: m.conversationId,
    s: m.segment,
    a: m.authorId,
    t: m.createdAt,
    x: m.text,
    r: m.replyTo ?? null,
    e: m.editedAt ?? null,
    del: m.deleted,
    re: m.reactions,
    v: m.versions,
  }));
  const rows = await sql<{ id: string }>`
    with appended as (
      insert into segment_updates (conversation_id, segment, seq, update, device_id)
      select c, s, q, decode(u, 'hex'), d from json_to_recordset(${JSON.stringify(updates)}::json) as x(c uuid, s integer, q bigint, u text, d uuid)
    ), moved as (
      update segments set last_seq = x.q, updated_at = now()
      from json_to_recordset(${JSON.stringify(seqs)}::json) as x(c uuid, s integer, q bigint)
      where segments.conversation_id = x.c and segments.segment = x.s
    ), bound as (
      insert into segment_clients (conversation_id, segment, client_id, device_id)
      select c, s, k, d from json_to_recordset(${JSON.stringify(clients)}::json) as x(c uuid, s integer, k bigint, d uuid)
    ), projected as (
      insert into messages as m (id, conversation_id, segment, author_id, created_at, text, reply_to, edited_at, deleted, reactions, versions)
      select id, c, s, a, t, x, r, e, del, re, v
      from json_to_recordset(${JSON.stringify(messages)}::json)
        as x(id uuid, c uuid, s integer, a uuid, t bigint, x text, r uuid, e bigint, del boolean, re jsonb, v jsonb)
      on conflict (id) do update set
        text = excluded.text, edited_at = excluded.edited_at, deleted = excluded.deleted, reactions = excluded.reactions,
        versions = excluded.versions, txid = pg_current_xact_id(), changed_at = now()
      where m.conversation_id = excluded.conversation_id and m.segment = excluded.segment
        and (m.text, m.edited_at, m.deleted, m.reactions, m.versions)
          is distinct from (excluded.text, excluded.edited_at, excluded.deleted, excluded.reactions, excluded.versions)
      returning m.id, m.xmax = 0 as inserted
    )
    select id from projected where inserted`.execute(db);
  return new Set(rows.rows.map((r) => r.id));
}

export function compareKeys(a: SegmentKey, b: SegmentKey): number {
  return a.conversationId < b.conversationId ? -1 : a.conversationId > b.conversationId ? 1 : a.segment - b.segment;
}

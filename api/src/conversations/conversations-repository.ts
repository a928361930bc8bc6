import { sql } from 'kysely';
import type { Db } from '../db/connect.js';
import type { ConversationRow, MemberRole, MemberRow } from '../db/tables.js';

// Timestamps used in keyset cursors are written from the application clock (millisecond
// precision), so a cursor that round-trips through a JS Date matches the stored value exactly.

export type Membership = { conversation: ConversationRow; role: MemberRole };

export async function insertConversation(db: Db, row: Omit<ConversationRow, 'created_at' | 'updated_at'>): Promise<ConversationRow> {
  const now = new Date();
  return db
    .insertInto('conversations')
    .values({ ...row, created_at: now, updated_at: now })
    .returningAll()
    .executeTakeFirstOrThrow();
}

/** Inserts members who all join at `joinedAt`, skipping users already in; returns the ids actually added. */
export async function insertMembers(
  db: Db,
  conversationId: string,
  members: { userId: string; role: MemberRole }[],
  joinedAt: Date = new Date(),
): Promise<string[]> {
  if (members.length === 0) return [];
  const rows = await db
    .insertInto('conversation_members')
    .values(members.map((m) => ({ conversation_id: conversationId, user_id: m.userId, role: m.role, joined_at: joinedAt })))
    .onConflict((oc) => oc.columns(['conversation_id', 'user_id']).doNothing())
    .returning('user_id')
    .execute();
  return rows.map((r) => r.user_id);
}

/** The user's conversations among `conversationIds`, each row with the user's role in it (one query). */
export function findConversationsWithRole(db: Db, userId: string, conversationIds: readonly string[]) {
  return db
    .selectFrom('conversations as c')
    .innerJoin('conversation_members as m', 'm.conversation_id', 'c.id')
    .selectAll('c')
    .select('m.role')
    .where('m.user_id', '=', userId)
    .where('c.id', 'in', conversationIds)
    .execute();
}

/** The conversation and the user's role in it, or undefined when the user is not a member. */
export async function findMembership(db: Db, conversationId: string, userId: string): Promise<Membership | undefined> {
  const [row] = await findConversationsWithRole(db, userId, [conversationId]);
  if (!row) return undefined;
  const { role, ...conversation } = row;
  return { conversation, role };
}

/**
 * Like findMembership, but locks the conversation row first so that concurrent membership
 * changes to one conversation are serialized.
 */
export async function lockMembership(db: Db, conversationId: string, userId: string): Promise<Membership | undefined> {
  const locked = await db.selectFrom('conversations').select('id').where('id', '=', conversationId).forUpdate().executeTakeFirst();
  return locked ? findMembership(db, conversationId, userId) : undefined;
}

export async function findConversationByDirectKey(db: Db, directKey: string): Promise<ConversationRow | undefined> {
  return db.selectFrom('conversations').selectAll().where('direct_key', '=', directKey).executeTakeFirst();
}

export async function updateConversationTitle(db: Db, id: string, title: string): Promise<void> {
  await db.updateTable('conversations').set({ title, updated_at: new Date() }).where('id', '=', id).execute();
}

export async function touchConversation(db: Db, id: string): Promise<void> {
  await db.updateTable('conversations').set({ updated_at: new Date() }).where('id', '=', id).execute();
}

export async function deleteMember(db: Db, conversationId: string, userId: string): Promise<boolean> {
  const r = await db
    .deleteFrom('conversation_members')
    .where('conversation_id', '=', conversationId)
    .where('user_id', '=', userId)
    .executeTakeFirst();
  return r.numDeletedRows > 0n;
}

export async function updateMemberRole(db: Db, conversationId: string, userId: string, role: MemberRole): Promise<void> {
  await db
    .updateTable('conversation_members')
    .set({ role })
    .where('conversation_id', '=', conversationId)
    .where('user_id', '=', userId)
    .execute();
}

export async function findMember(db: Db, conversationId: string, userId: string): Promise<MemberRow | undefined> {
  return db
    .selectFrom('conversation_members')
    .selectAll()
    .where('conversation_id', '=', conversationId)
    .where('user_id', '=', userId)
    .executeTakeFirst();
}

export async function listMemberIds(db: Db, conversationId: string): Promise<string[]> {
  const rows = await db.selectFrom('conversation_members').select('user_id').where('conversation_id', '=', conversationId).execute();
  return rows.map((r) => r.user_id);
}

export async function countMembers(db: Db, conversationId: string): Promise<number> {
  const row = await db
    .selectFrom('conversation_members')
    .select((eb) => eb.fn.countAll<string>().as('n'))
    .where('conversation_id', '=', conversationId)
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

/** Members in (joined_at, user_id) order, keyset-paginated. */
export async function listMembers(
  db: Db,
  conversationId: string,
  page: { after?: [Date, string]; before?: [Date, string]; limit: number; inverted: boolean },
): Promise<MemberRow[]> {
  let q = db.selectFrom('conversation_members').selectAll().where('conversation_id', '=', conversationId);
  if (page.after) q = q.where(sql<boolean>`(joined_at, user_id) > (${page.after[0]}, ${page.after[1]})`);
  if (page.before) q = q.where(sql<boolean>`(joined_at, user_id) < (${page.before[0]}, ${page.before[1]})`);
  const dir = page.inverted ? 'desc' : 'asc';
  return q.orderBy('joined_at', dir).orderBy('user_id', dir).limit(page.limit).execute();
}

/** The first member by join time with the given role, excluding nobody. */
export async function findEarliestMember(db: Db, conversationId: string, role?: MemberRole): Promise<MemberRow | undefined> {
  let q = db.selectFrom('conversation_members').selectAll().where('conversation_id', '=', conversationId);
  if (role) q = q.where('role', '=', role);
  return q.orderBy('joined_at').orderBy('user_id').limit(1).executeTakeFirst();
}

/** A user's conversations, most recently active first, keyset-paginated on (updated_at, id). */
export async function listConversationsOfUser(
  db: Db,
  userId: string,
  page: { after?: [Date, string]; before?: [Date, string]; limit: number; inverted: boolean },
): Promise<(ConversationRow & { role: MemberRole })[]> {
  let q = db
    .selectFrom('conversations as c')
    .innerJoin('conversation_members as m', 'm.conversation_id', 'c.id')
    .selectAll('c')
    .select('m.role')
    .where('m.user_id', '=', userId);
  if (page.after) q = q.where(sql<boolean>`(c.updated_at, c.id) < (${page.after[0]}, ${page.after[1]})`);
  if (page.before) q = q.where(sql<boolean>`(c.updated_at, c.id) > (${page.before[0]}, ${page.before[1]})`);
  const dir = page.inverted ? 'asc' : 'desc';
  return q.orderBy('c.updated_at', dir).orderBy('c.id', dir).limit(page.limit).execute();
}

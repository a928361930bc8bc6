import { limits } from '@mailboat/schema';
import { v7 as uuidv7 } from 'uuid';
import { findUsersByIds } from '../accounts/users-repository.js';
import type { AppDeps } from '../context.js';
import type { ConversationRow, MemberRole, MemberRow } from '../db/tables.js';
import { badInput, forbidden, notFound } from '../errors.js';
import { publishToUsers } from '../events/pubsub.js';
import { startReceiptsAtNewest } from '../receipts/receipts-service.js';
import * as validate from '../validate.js';
import type { Viewer } from '../viewer.js';
import * as repo from './conversations-repository.js';

// Rules: only members see a conversation or anything in it (others get NOT_FOUND, never a
// hint that it exists). Direct conversations have exactly two members, no title and no
// roles to manage. In a group, owners and admins rename and add members; owners remove
// anyone and set roles; admins remove plain members; anyone may leave. Every change commits
// before it is announced.

const conversationNotFound = () => notFound('Conversation');
const canManage = (role: MemberRole) => role === 'owner' || role === 'admin';

export type ConversationWithRole = ConversationRow & { role: MemberRole };

/** The conversation if the viewer is a member; undefined otherwise. */
export async function getConversation(deps: AppDeps, viewer: Viewer, id: string): Promise<ConversationWithRole | undefined> {
  const m = await repo.findMembership(deps.db, id, viewer.userId);
  return m && { ...m.conversation, role: m.role };
}

/** The conversations among `ids` that the user is a member of, each with their role in it (one query; any order). */
export function conversationsOfMember(deps: AppDeps, userId: string, ids: readonly string[]): Promise<ConversationWithRole[]> {
  return repo.findConversationsWithRole(deps.db, userId, ids);
}

/** A page of keyset pagination on a (timestamp, id) pair. */
export type KeysetPage = { after?: [Date, string]; before?: [Date, string]; limit: number; inverted: boolean };

/** The viewer's conversations, most recently changed first. */
export function listConversations(deps: AppDeps, viewer: Viewer, page: KeysetPage): Promise<ConversationWithRole[]> {
  return repo.listConversationsOfUser(deps.db, viewer.userId, page);
}

/** How many members a conversation has; `conversation` is one the viewer was shown (getConversation). */
export function countMembers(deps: AppDeps, conversation: ConversationWithRole): Promise<number> {
  return repo.countMembers(deps.db, conversation.id);
}

/** A conversation's members in the order they joined; `conversation` is one the viewer was shown (getConversation). */
export function listMembers(deps: AppDeps, conversation: ConversationWithRole, page: KeysetPage): Promise<MemberRow[]> {
  return repo.listMembers(deps.db, conversation.id, page);
}

/** Opens the direct conversation between the viewer and `userId`, creating it once; the same call returns the same conversation. */
export async function openDirectConversation(deps: AppDeps, viewer: Viewer, userId: string): Promise<ConversationWithRole> {
  if (userId === viewer.userId) throw badInput('userId', 'A direct conversation needs another person');
  const [other] = await findUsersByIds(deps.db, [userId]);
  if (!other) throw badInput('userId', 'No such user');
  const directKey = [viewer.userId, userId].sort().join(':');
  const created = await deps.db
    .transaction()
    .execute(async (trx) => {
      if (await repo.findConversationByDirectKey(trx, directKey)) return null;
      const conversation = await repo.insertConversation(trx, { id: uuidv7(), kind: 'direct', title: null, direct_key: directKey });
      await repo.insertMembers(trx, conversation.id, [
        { userId: viewer.userId, role: 'member' },
        { userId, role: 'member' },
      ]);
      return conversation;
    })
    .catch((e: unknown) => {
      if ((e as { code?: string }).code === '23505') return null; // created concurrently
      throw e;
    });
  if (created) publishToUsers(deps.pubsub, [viewer.userId, userId], { kind: 'conversationAdded', conversationId: created.id });
  const existing = created ?? (await repo.findConversationByDirectKey(deps.db, directKey));
  if (!existing) throw new Error('direct conversation vanished');
  return { ...existing, role: 'member' };
}

/** Creates a group with the viewer as owner and `memberIds` as members. */
export async function createGroupConversation(
  deps: AppDeps,
  viewer: Viewer,
  input: { title: string; memberIds: readonly string[] },
): Promise<ConversationWithRole> {
  const title = validate.text('title', input.title, limits.conversationTitle);
  const memberIds = await existingUsers(
    deps,
    input.memberIds.filter((id) => id !== viewer.userId),
    'memberIds',
  );
  if (memberIds.length + 1 > limits.groupMembers.max) throw badInput('memberIds', `A group has at most ${limits.groupMembers.max} members`);
  const conversation = await deps.db.transaction().execute(async (trx) => {
    const c = await repo.insertConversation(trx, { id: uuidv7(), kind: 'group', title, direct_key: null });
    // The creator joins first: members are listed (and ownership is inherited) by join time.
    await repo.insertMembers(trx, c.id, [{ userId: viewer.userId, role: 'owner' }], c.created_at);
    await repo.insertMembers(
      trx,
      c.id,
      memberIds.map((userId) => ({ userId, role: 'member' as const })),
      new Date(c.created_at.getTime() + 1),
    );
    return c;
  });
  publishToUsers(deps.pubsub, [viewer.userId, ...memberIds], { kind: 'conversationAdded', conversationId: conversation.id });
  return { ...conversation, role: 'owner' };
}

export async function renameConversation(deps: AppDeps, viewer: Viewer, id: string, rawTitle: string) {
  const title = validate.text('title', rawTitle, limits.conversationTitle);
  await changeGroup(deps, viewer, id, async (trx, m) => {
    if (!canManage(m.role)) throw forbidden('Only owners and admins can rename a group');
    await repo.updateConversationTitle(trx, id, title);
    return { added: [], removed: [] };
  });
  return mustGet(deps, viewer, id);
}

export async function addMembers(deps: AppDeps, viewer: Viewer, id: string, userIds: readonly string[]) {
  const ids = await existingUsers(deps, userIds, 'userIds');
  await changeGroup(deps, viewer, id, async (trx, m) => {
    if (!canManage(m.role)) throw forbidden('Only owners and admins can add members');
    const current = new Set(await repo.listMemberIds(trx, id));
    const newcomers = ids.filter((userId) => !current.has(userId));
    if (newcomers.length === 0) return { added: [], removed: [], unchanged: true };
    if (current.size + newcomers.length > limits.groupMembers.max) {
      throw badInput('userIds', `A group has at most ${limits.groupMembers.max} members`);
    }
    const added = await repo.insertMembers(
      trx,
      id,
      newcomers.map((userId) => ({ userId, role: 'member' as const })),
    );
    await startReceiptsAtNewest(trx, id, added);
    await repo.touchConversation(trx, id);
    return { added, removed: [] };
  });
  return mustGet(deps, viewer, id);
}

/** Removes another member; from the commit on, they see nothing of the conversation. */
export async function removeMember(deps: AppDeps, viewer: Viewer, id: string, userId: string) {
  await changeGroup(deps, viewer, id, async (trx, m) => {
    if (userId === viewer.userId) throw badInput('userId', 'Use leaveConversation to leave');
    const target = await repo.findMember(trx, id, userId);
    if (!target) throw notFound('Member');
    const allowed = m.role === 'owner' || (m.role === 'admin' && target.role === 'member');
    if (!allowed)
      throw forbidden(m.role === 'admin' ? 'Admins can remove only plain members' : 'Only owners and admins can remove members');
    await repo.deleteMember(trx, id, userId);
    await repo.touchConversation(trx, id);
    return { added: [], removed: [userId] };
  });
  return mustGet(deps, viewer, id);
}

export async function setMemberRole(deps: AppDeps, viewer: Viewer, id: string, userId: string, role: MemberRole) {
  await changeGroup(deps, viewer, id, async (trx, m) => {
    if (m.role !== 'owner') throw forbidden('Only owners can change roles');
    if (userId === viewer.userId) throw badInput('userId', 'You cannot change your own role');
    const target = await repo.findMember(trx, id, userId);
    if (!target) throw notFound('Member');
    if (target.role === role) return { added: [], removed: [], unchanged: true };
    await repo.updateMemberRole(trx, id, userId, role);
    await repo.touchConversation(trx, id); // a role change is a change to the conversation
    return { added: [], removed: [] };
  });
  return mustGet(deps, viewer, id);
}

/** The viewer leaves a group; when the last owner leaves, the longest-standing admin (else member) becomes owner. */
export async function leaveConversation(deps: AppDeps, viewer: Viewer, id: string): Promise<void> {
  await changeGroup(deps, viewer, id, async (trx) => {
    await repo.deleteMember(trx, id, viewer.userId);
    if (!(await repo.findEarliestMember(trx, id, 'owner'))) {
      const heir = (await repo.findEarliestMember(trx, id, 'admin')) ?? (await repo.findEarliestMember(trx, id));
      if (heir) await repo.updateMemberRole(trx, id, heir.user_id, 'owner');
    }
    await repo.touchConversation(trx, id);
    return { added: [], removed: [viewer.userId], left: true };
  });
}

/** Who joined and who lost access; `unchanged` when the call changed nothing (nothing is announced). */
type Change = { added: string[]; removed: string[]; left?: boolean; unchanged?: boolean };

/**
 * Runs `change` on a group the viewer belongs to, with the conversation row locked, then
 * (after commit) tells added members it appeared, removed ones it is gone, and everyone
 * else that it changed.
 */
async function changeGroup(
  deps: AppDeps,
  viewer: Viewer,
  id: string,
  change: (trx: AppDeps['db'], m: repo.Membership) => Promise<Change>,
): Promise<void> {
  const { result, memberIds } = await deps.db.transaction().execute(async (trx) => {
    const m = await repo.lockMembership(trx, id, viewer.userId);
    if (!m) throw conversationNotFound();
    if (m.conversation.kind === 'direct') throw forbidden('A direct conversation always has the same two members and no title');
    const result = await change(trx, m);
    return { result, memberIds: await repo.listMemberIds(trx, id) };
  });
  if (result.unchanged) return;
  const added = new Set(result.added);
  publishToUsers(deps.pubsub, result.added, { kind: 'conversationAdded', conversationId: id });
  for (const userId of result.removed) {
    publishToUsers(deps.pubsub, [userId], { kind: 'conversationRemoved', conversationId: id, reason: result.left ? 'left' : 'removed' });
  }
  publishToUsers(
    deps.pubsub,
    memberIds.filter((u) => !added.has(u)),
    { kind: 'conversationUpdated', conversationId: id },
  );
}

async function mustGet(deps: AppDeps, viewer: Viewer, id: string): Promise<ConversationWithRole> {
  const c = await getConversation(deps, viewer, id);
  if (!c) throw conversationNotFound();
  return c;
}

async function existingUsers(deps: AppDeps, ids: readonly string[], field: string): Promise<string[]> {
  const unique = [...new Set(ids)];
  if (unique.length > limits.groupMembers.max) throw badInput(field, `At most ${limits.groupMembers.max} users at once`);
  const found = await findUsersByIds(deps.db, unique);
  if (found.length !== unique.length) throw badInput(field, 'Some of these users do not exist');
  return unique;
}

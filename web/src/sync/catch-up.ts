import type { ResultOf } from 'gql.tada';
import type { Account } from './account.js';
import type { SyncContext } from './context.js';
import { absorbConversation } from './conversation-records.js';
import { pullDiffs } from './diffs.js';
import { CHANGES, CHANGES_HEAD, CONVERSATIONS, SEGMENTS } from './operations.js';
import type { HeldSegment } from './records.js';

/** Load segments, newest first, until they hold at least this many messages (or run out). */
const MESSAGES_PER_LOAD = 30;
const SEGMENTS_PER_PAGE = 10;

/**
 * The `changes` cursor a device with none starts from: taken before any history is loaded,
 * so the feed after it holds everything that may be missing from what is loaded next.
 */
export async function changesHead(ctx: SyncContext): Promise<string> {
  return (await ctx.api.query(CHANGES_HEAD)).changesHead;
}

/**
 * Fetches every conversation of the viewer and stores it; conversations the device has that
 * the server no longer lists (removed or left while offline) are dropped.
 */
export async function fetchConversations(ctx: SyncContext): Promise<void> {
  const seen = new Set<string>();
  let after: string | null = null;
  for (;;) {
    const data: ResultOf<typeof CONVERSATIONS> = await ctx.api.query(CONVERSATIONS, { after });
    if (!data.viewer) throw new Error('Mailboat named no viewer for a signed-in request');
    const page = data.viewer.conversations;
    for (const { node } of page.edges) {
      seen.add(node.id);
      await absorbConversation(ctx.account, node);
    }
    if (!page.pageInfo.hasNextPage || !page.pageInfo.endCursor) break;
    after = page.pageInfo.endCursor;
  }
  for (const id of [...ctx.account.conversations.keys()]) if (!seen.has(id)) await ctx.account.dropConversation(id);
}

/** Loads the newest history of every conversation not loaded yet, reporting progress when there are several. */
export async function loadUnloaded(ctx: SyncContext): Promise<void> {
  const pending = [...ctx.account.conversations.values()].filter((c) => !c.loaded).map((c) => c.id);
  if (pending.length === 0) return;
  ctx.setProgress({ done: 0, total: pending.length });
  for (const [i, id] of pending.entries()) {
    await loadNewest(ctx, id);
    ctx.setProgress({ done: i + 1, total: pending.length });
  }
  ctx.setProgress(null);
}

/** Loads a conversation's newest segments (Conversation.segments + segmentDiffs) and marks it loaded. */
export async function loadNewest(ctx: SyncContext, conversationId: string): Promise<void> {
  await loadPage(ctx, conversationId, null);
}

/** Loads the next older page of segments; does nothing when there is none. */
export async function loadOlder(ctx: SyncContext, conversationId: string): Promise<void> {
  const record = ctx.account.conversations.get(conversationId);
  if (!record) return;
  if (!record.loaded) return loadNewest(ctx, conversationId);
  if (!record.hasOlder) return;
  await loadPage(ctx, conversationId, record.olderCursor);
}

async function loadPage(ctx: SyncContext, conversationId: string, after: string | null): Promise<void> {
  const data = await ctx.api.query(SEGMENTS, { id: conversationId, first: SEGMENTS_PER_PAGE, after });
  if (!data.conversation) {
    await ctx.account.dropConversation(conversationId);
    return;
  }
  const { edges, pageInfo } = data.conversation.segments;
  const taken: typeof edges = [];
  let count = 0;
  for (const edge of edges) {
    taken.push(edge);
    count += edge.node.messageCount;
    if (count >= MESSAGES_PER_LOAD) break;
  }
  await pullDiffs(
    ctx,
    taken.map((e) => ({ conversationId, segment: e.node.number })),
  );
  const record = ctx.account.conversations.get(conversationId);
  if (!record) return;
  const last = taken[taken.length - 1];
  await ctx.account.putConversation({
    ...record,
    loaded: true,
    olderCursor: last ? last.cursor : record.olderCursor,
    hasOlder: taken.length < edges.length || pageInfo.hasNextPage,
  });
}

/**
 * Reads the `changes` feed from the stored cursor and pulls the diffs of the segments it
 * names that the device holds (or, for a loaded conversation, should hold: a new segment).
 * The cursor moves only after a page's diffs are applied.
 */
export async function catchUpChanges(ctx: SyncContext): Promise<void> {
  const account = ctx.account;
  let after = account.cursor;
  if (after === undefined) return;
  for (;;) {
    const data: ResultOf<typeof CHANGES> = await ctx.api.query(CHANGES, { after });
    const wanted = data.changes.edges.map((e) => e.node).filter((s) => shouldHold(account, s));
    await pullDiffs(ctx, wanted);
    // Never null for `changes` (its contract); were it, the cursor would stay rather than restart the feed.
    after = data.changes.pageInfo.endCursor ?? after;
    await account.setCursor(after);
    if (!data.changes.pageInfo.hasNextPage) return;
  }
}

function shouldHold(account: Account, s: HeldSegment): boolean {
  return account.segments.get(s.conversationId, s.segment) !== undefined || account.conversations.get(s.conversationId)?.loaded === true;
}

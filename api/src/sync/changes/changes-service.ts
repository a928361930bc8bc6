import type { Db } from '../../db/connect.js';
import type { MessageRow } from '../../db/tables.js';
import { badInput } from '../../errors.js';
import type { Viewer } from '../../viewer.js';
import { type ChangedMessageRow, type FeedPosition, findFeedHorizon, listChangedMessages } from './changes-repository.js';

export type ChangeKind = 'new' | 'edited' | 'deleted';

/** One changed message, as of now, and where it sits in the feed. */
export type MessageChange = { message: MessageRow; kind: ChangeKind; changedAt: Date; cursor: string };

export type ChangesPage = {
  changes: MessageChange[];
  hasMore: boolean;
  /** The cursor to keep and pass as `after` next time; never null. */
  endCursor: string;
};

const START: FeedPosition = { txid: '0', id: '00000000-0000-0000-0000-000000000000' };
const LAST_ID = 'ffffffff-ffff-ffff-ffff-ffffffffffff';
const MAX_XID8 = 2n ** 64n - 1n;

/** Opaque, URL-safe feed cursors; the prefix keeps other cursors of this API from passing. */
export function encodeChangeCursor(position: FeedPosition): string {
  return Buffer.from(`chg1:${position.txid}:${position.id}`).toString('base64url');
}

/** Throws BAD_USER_INPUT naming `field` for a cursor this server did not make. */
export function decodeChangeCursor(cursor: string, field: string): FeedPosition {
  const match = /^chg1:(\d{1,20}):([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})$/.exec(
    /^[A-Za-z0-9_-]{1,128}$/.test(cursor) ? Buffer.from(cursor, 'base64url').toString('latin1') : '',
  );
  if (!match?.[1] || !match[2] || BigInt(match[1]) > MAX_XID8) throw badInput(field, `\`${field}\` is not a cursor from the changes feed`);
  return { txid: BigInt(match[1]).toString(), id: match[2] };
}

/**
 * A `changes` cursor at the current end of the feed: every transaction below the horizon
 * (the oldest still running) has finished, so nothing at or before this cursor can appear
 * later, and every change committed from now on (or still in flight) sorts after it. A new
 * device takes it before loading history, so the feed then replays only what it may lack.
 */
export async function changesHead(deps: { db: Db }): Promise<string> {
  const horizon = BigInt(await findFeedHorizon(deps.db));
  return encodeChangeCursor({ txid: (horizon - 1n).toString(), id: LAST_ID });
}

/**
 * What changed in the conversations the viewer is a member of now, after `after` (from the
 * beginning without it), oldest change first, at most `limit`; with `since`, only rows whose
 * last change started at or after it (approximate: a transaction's time is when it began).
 *
 * Never skips: the page stops below the horizon (the oldest transaction still running), so a
 * row written by a transaction that commits later always sorts after the returned cursor.
 * A message appears once per page sequence, in its current state; changed again later, it
 * appears again. `kind` is relative to `after`: new when created after it, deleted when
 * deleted (even if also new), else edited (text, reactions); from `since` alone, new means
 * not changed since its creation. Clients should upsert by id whatever the kind.
 */
export async function listChanges(
  deps: { db: Db },
  viewer: Viewer,
  page: { after?: FeedPosition; since?: Date; limit: number },
): Promise<ChangesPage> {
  const after = page.after ?? START;
  const horizon = await findFeedHorizon(deps.db);
  const rows = await listChangedMessages(deps.db, viewer.userId, { after, below: horizon, since: page.since, limit: page.limit + 1 });
  const hasMore = rows.length > page.limit;
  const sinceOnly = page.after === undefined && page.since !== undefined;
  const changes = rows.slice(0, page.limit).map((row) => toChange(row, sinceOnly));
  const last = changes.at(-1)?.cursor;
  return { changes, hasMore, endCursor: last ?? encodeChangeCursor(hasMore ? after : caughtUp(after, horizon)) };
}

/** From `since` alone the creating transaction's time is unknown: new means not changed since. */
function toChange({ created_after, ...message }: ChangedMessageRow, sinceOnly: boolean): MessageChange {
  const isNew = sinceOnly ? message.created_txid === message.txid : created_after;
  return {
    message,
    kind: message.deleted ? 'deleted' : isNew ? 'new' : 'edited',
    changedAt: message.changed_at,
    cursor: encodeChangeCursor({ txid: message.txid, id: message.id }),
  };
}

/**
 * With nothing left below the horizon, the cursor may move up to it: every transaction
 * below it has finished and every later one will get a larger id.
 */
function caughtUp(after: FeedPosition, horizon: string): FeedPosition {
  const top = BigInt(horizon) - 1n;
  return top > BigInt(after.txid) ? { txid: top.toString(), id: LAST_ID } : after;
}

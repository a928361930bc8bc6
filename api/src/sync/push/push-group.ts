import type { AppDeps } from '../../context.js';
import { compactionDue, scheduleCompaction } from '../segments/compaction.js';
import type { SegmentKey } from '../segments/segments-repository.js';
import { type CheckedGroup, checkGroup } from './push-check.js';
import { lockGroup, type Opened, segmentName } from './push-lock.js';
import { compareKeys } from './push-repository.js';
import { type Known, learn, nothingKnown, RerunError } from './push-rerun.js';
import type { AcceptedUpdate, PushOutcome, PushRequest } from './push-types.js';
import { writeGroup } from './push-write.js';

export type PushDeps = Pick<AppDeps, 'db' | 'segments' | 'compactions'> & {
  notifications: Pick<AppDeps['notifications'], 'intervalSeconds' | 'wake'>;
  attachments: { sweeper: Pick<AppDeps['attachments']['sweeper'], 'wake'> };
  config: Pick<AppDeps['config'], 'attachmentMessageMaxBytes'>;
};
/**
 * `notified`: the group queued notification jobs (push-write.ts), for the sender to wake up
 * to; `removedAttachments`: it deleted messages with attachments, for the sweeper to remove.
 */
export type GroupResult = { outcomes: PushOutcome[][]; accepted: AcceptedUpdate[]; notified: boolean; removedAttachments: boolean };

/**
 * Authorizes and stores the updates of several push requests in one transaction (one group
 * commit), with the same outcome for each update as if the requests had run one after the
 * other in the given order: an update is checked against its segment document as left by the
 * updates before it, refused ones store nothing, a message id is created by the first update
 * that claims it (later ones in other segments are refused), a message's createdAt is not
 * before its conversation's creation, and a reply names a message of its conversation (stored,
 * or created by an update before it).
 *
 * What is stored and published for an accepted update is its canonical form: what Yjs
 * integrated into the segment document (applyChecked), never the pushed bytes, so structs the
 * server already had never reach the log twice. An update Yjs integrates otherwise than the
 * write rules judged (or throws on) is refused as MALFORMED_UPDATE on its own, and its
 * segment's document is rebuilt; the group goes on.
 *
 * Segments are locked in sorted order, in this process (SegmentCache.withSegments, so nobody
 * reads a document holding updates that are not committed yet) and in the database (row
 * locks, against other nodes), for the whole transaction. Resolves once everything accepted
 * has committed; publishing is the caller's. Throws when the transaction fails: then nothing
 * of the group was stored and no cached document keeps any of its updates.
 */
export async function commitGroup(deps: PushDeps, requests: PushRequest[]): Promise<GroupResult> {
  const keys = new Map<string, SegmentKey>();
  for (const { items } of requests) {
    for (const { conversationId, segment } of items) keys.set(segmentName({ conversationId, segment }), { conversationId, segment });
  }
  const sorted = [...keys.values()].sort(compareKeys);
  // Message ids and reply targets in other segments are checked against committed rows
  // optimistically (a collision or a reply to nothing only comes from a forged or stale
  // update): then the transaction is rolled back and the group runs again knowing them.
  const known = nothingKnown();
  for (;;) {
    const attempt = await deps.segments.withSegments(sorted, () => attemptGroup(deps, requests, known));
    if (!(attempt instanceof RerunError)) return attempt;
    learn(known, attempt);
  }
}

/**
 * One attempt at a group commit, segments locked in this process: in one transaction, lock
 * the segments in the database and open their documents (push-lock.ts), check and apply the
 * updates (push-check.ts), store what was accepted (push-write.ts). Committed, the cached
 * documents take their new seqs and compactions that are due start. Failed, every segment it
 * opened leaves the cache (its document may hold updates that were never stored), and a
 * RerunError is returned for the next attempt.
 */
async function attemptGroup(deps: PushDeps, requests: PushRequest[], known: Known): Promise<GroupResult | RerunError> {
  const opened = new Map<string, Opened>();
  let checked: CheckedGroup;
  let written = { notified: false, removedAttachments: false };
  try {
    checked = await deps.db.transaction().execute(async (trx) => {
      const locked = await lockGroup(trx, deps.segments, requests, opened);
      const group = await checkGroup(trx, deps.segments, locked, requests, known, deps.config.attachmentMessageMaxBytes);
      written = await writeGroup(trx, opened, group, deps.notifications.intervalSeconds);
      return group;
    });
  } catch (e) {
    for (const o of opened.values()) deps.segments.evict(o.key);
    if (e instanceof RerunError) return e;
    throw e;
  }
  keepCommitted(deps, opened, Math.min(...requests.map((r) => r.compactAfterUpdates)));
  return { outcomes: checked.outcomes, accepted: checked.accepted, ...written };
}

/** After the commit: each cached document takes the seq its committed updates brought it to; compacts those due. */
function keepCommitted(deps: PushDeps, opened: ReadonlyMap<string, Opened>, compactAfter: number): void {
  for (const o of opened.values()) {
    o.entry.seq = o.seq;
    deps.segments.grew(o.key, o.entry, o.grewBytes);
    if (compactionDue(o.seq, o.snapshotSeq, compactAfter)) scheduleCompaction(deps, o.key);
  }
}

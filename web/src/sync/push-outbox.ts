import { ErrorCode, limits } from '@mailboat/schema';
import type { ResultOf } from 'gql.tada';
import type { Api } from './api.js';
import { encodeBytes } from './bytes.js';
import { PUSH_UPDATES } from './operations.js';
import type { Outbox } from './outbox.js';
import { type PushItem, planPush, segmentKey } from './push-plan.js';
import type { OutboxEntry } from './records.js';
import type { PushError } from './refusal.js';

export type PushResult = ResultOf<typeof PUSH_UPDATES>['pushUpdates']['results'][number];

/** What the server did not take of one segment's items in one round of pushOutbox. */
export type SegmentRefusals = {
  /** Items refused for good, in write order (possibly none). */
  refused: { item: PushItem; error: PushError | null }[];
  /** The first item the server could not integrate for lack of what it builds on (MISSING_DEPENDENCIES), with the server's state vector of the segment; or null. */
  missing: { item: PushItem; stateVector: string } | null;
};

/** What differs between the pushers (the app's flush.ts, the service worker's replay.ts). */
export type Pusher = {
  /** Merge a segment's long backlog into one update (see planPush). */
  coalesce: boolean;
  /**
   * Answers one segment's refusals of a round. 'retry': every item in `refused` has left the
   * queue (moved aside as failed); push what is still queued for the segment in the next
   * round (only when the queue changed). 'unmerge': nothing left the queue; the refused item
   * was a merged backlog, so push the segment's writes one by one from now on, and only the
   * write the server refuses fails. 'leave': leave the segment queued, unpushed, for the rest
   * of this push. A rejection ends the push, with what was not acknowledged still queued.
   */
  answer(refusals: SegmentRefusals): Promise<'retry' | 'unmerge' | 'leave'>;
  /**
   * Which of the queued writes (in write order) may be pushed now; the rest stay queued,
   * unpushed (a new message whose files have not all uploaded, and what follows it in its
   * segment: attachments/hold-back.ts). Default: all.
   */
  pushable?: (queued: OutboxEntry[]) => OutboxEntry[];
};

/**
 * The outbox push loop of the app and the service worker. Pushes what is queued, at most
 * limits.pushUpdates.max items per request, round after round, until nothing is left that
 * may be pushed now. ACCEPTED and DUPLICATE items leave the queue; the rest of each round is
 * answered by `pusher`, segment by segment (MISSING_DEPENDENCIES without the server's state
 * vector counts as a refusal for good). Every round shrinks the queue or leaves a segment
 * out, or splits a merged backlog (once per segment), so the loop ends. Resolves with how
 * many writes the loop saw acknowledged.
 *
 * Rejects (ClientError: NETWORK for no answer or a 5xx, UNAUTHENTICATED for a 401 a refresh
 * did not cure, …) with every write not yet acknowledged still queued. The caller holds
 * the outbox lock (outbox-lock.ts), so no write is pushed by the app and the worker both.
 */
export async function pushOutbox(api: Api, outbox: Outbox, pusher: Pusher): Promise<number> {
  const leftOut = new Set<string>();
  const unmerged = new Set<string>();
  let delivered = 0;
  for (;;) {
    const listed = outbox.list().filter((e) => !leftOut.has(segmentKey(e)));
    const queued = pusher.pushable ? pusher.pushable(listed) : listed;
    const items = planPush(queued, pusher.coalesce, unmerged).slice(0, limits.pushUpdates.max);
    if (items.length === 0) return delivered;
    const round = takeResults(outbox, items, await pushUpdates(api, items));
    delivered += round.delivered;
    for (const [key, refusals] of round.refusals) {
      const answer = await pusher.answer(refusals);
      if (answer === 'leave' || (answer === 'unmerge' && unmerged.has(key))) leftOut.add(key);
      else if (answer === 'unmerge') unmerged.add(key);
    }
  }
}

/**
 * Removes the acknowledged items from the queue, in order, and sorts out the rest by
 * segment: segments with a refusal for good first (a rollback may drop a whole
 * conversation), then those only missing dependencies. Throws when the answer lacks a result.
 */
function takeResults(outbox: Outbox, items: PushItem[], results: PushResult[]) {
  let delivered = 0;
  const bySegment = new Map<string, SegmentRefusals>();
  items.forEach((item, i) => {
    const result = results[i];
    if (!result) throw new Error('Mailboat answered fewer push results than updates');
    if (result.status !== 'REFUSED') {
      outbox.remove(item.entries.map((e) => e.seq));
      delivered += item.entries.length;
      return;
    }
    const key = segmentKey(item);
    const segment = bySegment.get(key) ?? { refused: [], missing: null };
    bySegment.set(key, segment);
    const { error } = result;
    if (error?.code === ErrorCode.MISSING_DEPENDENCIES && error.stateVector) segment.missing ??= { item, stateVector: error.stateVector };
    else segment.refused.push({ item, error });
  });
  const refusals = [...bySegment].sort(([, a], [, b]) => Number(b.refused.length > 0) - Number(a.refused.length > 0));
  return { delivered, refusals };
}

/** Sends one pushUpdates request; resolves with its results, in the order of `items`. */
export async function pushUpdates(api: Api, items: Pick<PushItem, 'conversationId' | 'segment' | 'update'>[]): Promise<PushResult[]> {
  const data = await api.mutation(PUSH_UPDATES, {
    updates: items.map((i) => ({ conversationId: i.conversationId, segment: i.segment, update: encodeBytes(i.update) })),
  });
  return data.pushUpdates.results;
}

import type { Db } from '../../db/connect.js';
import type { CachedSegment, SegmentCache } from '../segments/segment-cache.js';
import type { SegmentKey } from '../segments/segments-repository.js';
import { findClientOwnersOf, lockMemberSegments } from './push-repository.js';
import type { PushRequest } from './push-types.js';

/** How a group commit names a segment: `${conversationId}:${segment}`. */
export const segmentName = (k: SegmentKey) => `${k.conversationId}:${k.segment}`;

/** An opened segment: its cached document (replaced when rebuilt) and what this group did to it. */
export type Opened = {
  key: SegmentKey;
  entry: CachedSegment;
  snapshotSeq: number;
  /** The segment's seq once this group's accepted updates are in (entry.seq moves to it after the commit). */
  seq: number;
  grewBytes: number;
  /** The canonical updates this group applied to it, in order (to rebuild its document). */
  applied: Uint8Array[];
};

/** What the lock step leaves for the checks. */
export type LockedGroup = {
  /** Which pushers are members of the conversation they push to, as `${conversationId}:${userId}`. */
  members: Set<string>;
  /** Every segment members push to, locked and opened, by segmentName; its owners are loaded. */
  opened: Map<string, Opened>;
  /** When each of those conversations was created (ms since the epoch). */
  starts: Map<string, number>;
};

/**
 * Step 1 of a group commit, inside its transaction: locks every segment a member pushes to
 * (creating missing rows; lockMemberSegments, which also reads the memberships and when their
 * conversations started), opens each one's cached document in sorted order, and loads the
 * Yjs client owners of those the cache holds none for. A push by a non-member locks nothing.
 *
 * `opened` (empty when called) is filled as segments open, so that the caller can evict them
 * from the cache whatever happens after.
 */
export async function lockGroup(trx: Db, cache: SegmentCache, requests: PushRequest[], opened: Map<string, Opened>): Promise<LockedGroup> {
  const wanted = new Map<string, SegmentKey & { userId: string }>();
  for (const { viewer, items } of requests) {
    for (const { conversationId, segment } of items) {
      wanted.set(`${conversationId}:${segment}:${viewer.userId}`, { conversationId, segment, userId: viewer.userId });
    }
  }
  const { members, segments, starts } = await lockMemberSegments(trx, [...wanted.values()]);
  for (const [name, { lastSeq, snapshotSeq }] of [...segments].sort(([a], [b]) => (a < b ? -1 : 1))) {
    const [conversationId, segment] = name.split(':') as [string, string];
    const key = { conversationId, segment: Number(segment) };
    const entry = await cache.open(trx, key, lastSeq);
    opened.set(name, { key, entry, snapshotSeq, seq: entry.seq, grewBytes: 0, applied: [] });
  }
  const unknownOwners = [...opened.values()].filter((o) => !o.entry.owners);
  if (unknownOwners.length > 0) {
    const found = await findClientOwnersOf(
      trx,
      unknownOwners.map((o) => o.key),
    );
    for (const o of unknownOwners) o.entry.owners = found.get(segmentName(o.key)) ?? new Map();
  }
  return { members, opened, starts };
}

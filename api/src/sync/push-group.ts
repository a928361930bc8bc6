import { checkUpdate, ErrorCode, messagesOf, readMessage, UpdateRefusedError } from '@mailboat/schema';
import * as Y from 'yjs';
import type { AppDeps, Viewer } from '../context.js';
import { decodeGlobalId, encodeGlobalId } from '../graphql/global-ids.js';
import { compactionDue, scheduleCompaction } from './compaction.js';
import type { CachedSegment } from './doc-cache.js';
import {
  compareKeys,
  findClientOwnersOf,
  lockMemberSegments,
  type ProjectedMessage,
  type PushWrites,
  writePushed,
} from './push-repository.js';
import type { PushItem, PushOutcome } from './push-service.js';
import type { SegmentKey } from './segments-repository.js';

export type PushDeps = Pick<AppDeps, 'db' | 'segments'>;
/** One push: its viewer, its updates, and its app's compaction threshold (config.compactAfterUpdates). */
export type PushRequest = { viewer: Viewer; items: PushItem[]; compactAfterUpdates: number };
/** An update this group committed, with what its publication needs. */
export type AcceptedUpdate = { key: SegmentKey; seq: number; update: Uint8Array; originDeviceId: string };
export type GroupResult = { outcomes: PushOutcome[][]; accepted: AcceptedUpdate[] };

const nameOf = (k: SegmentKey) => `${k.conversationId}:${k.segment}`;

/**
 * Authorizes and stores the updates of several push requests in one transaction (one group
 * commit), with the same outcome for each update as if the requests had run one after the
 * other in the given order: an update is checked against its segment document as left by the
 * updates before it, refused ones store nothing, and a message id is created by the first
 * update that claims it (later ones in other segments are refused).
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
    for (const { conversationId, segment } of items) keys.set(nameOf({ conversationId, segment }), { conversationId, segment });
  }
  const sorted = [...keys.values()].sort(compareKeys);
  // Message ids are checked against other segments' committed rows optimistically (collisions
  // only come from forged updates): on a collision the transaction is rolled back and the group
  // runs again, refusing the updates that create those ids.
  const taken = new Set<string>();
  for (;;) {
    const attempt = await deps.segments.withSegments(sorted, () => attemptGroup(deps, requests, taken));
    if (attempt instanceof TakenIdsError) {
      for (const id of attempt.ids) taken.add(id);
      continue;
    }
    return attempt;
  }
}

type Opened = { key: SegmentKey; entry: CachedSegment; snapshotSeq: number; seq: number; grewBytes: number };

async function attemptGroup(deps: PushDeps, requests: PushRequest[], taken: Set<string>): Promise<GroupResult | TakenIdsError> {
  const { segments: cache } = deps;
  const opened = new Map<string, Opened>();
  const outcomes: PushOutcome[][] = requests.map((r) => new Array(r.items.length));
  const accepted: AcceptedUpdate[] = [];
  try {
    await deps.db.transaction().execute(async (trx) => {
      const wanted = new Map<string, SegmentKey & { userId: string }>();
      for (const { viewer, items } of requests) {
        for (const { conversationId, segment } of items) {
          wanted.set(`${conversationId}:${segment}:${viewer.userId}`, { conversationId, segment, userId: viewer.userId });
        }
      }
      const { members, segments } = await lockMemberSegments(trx, [...wanted.values()]);
      for (const [name, { lastSeq, snapshotSeq }] of [...segments].sort(([a], [b]) => (a < b ? -1 : 1))) {
        const [conversationId, segment] = name.split(':') as [string, string];
        const key = { conversationId, segment: Number(segment) };
        const entry = await cache.open(trx, key, lastSeq);
        opened.set(name, { key, entry, snapshotSeq, seq: entry.seq, grewBytes: 0 });
      }
      const unknownOwners = [...opened.values()].filter((o) => !o.entry.owners);
      if (unknownOwners.length > 0) {
        const found = await findClientOwnersOf(
          trx,
          unknownOwners.map((o) => o.key),
        );
        for (const o of unknownOwners) o.entry.owners = found.get(nameOf(o.key)) ?? new Map();
      }

      const writes: PushWrites = { updates: [], lastSeqs: [], clients: [], messages: [] };
      const changed = new Map<string, Set<string>>(); // segment name -> message ids its updates changed
      const creator = new Map<string, string>(); // message id -> the segment an update of this group created it in
      requests.forEach(({ viewer, items }, r) => {
        const writer = {
          userId: encodeGlobalId('User', viewer.userId),
          mayUseClient: (c: number, owners: Map<number, string>) => (owners.get(c) ?? viewer.deviceId) === viewer.deviceId,
        };
        items.forEach((item, i) => {
          const out = outcomes[r] as PushOutcome[];
          const o = members.has(`${item.conversationId}:${viewer.userId}`) ? opened.get(nameOf(item)) : undefined;
          if (!o) {
            out[i] = { status: 'refused', code: ErrorCode.NOT_FOUND, message: 'Conversation not found' };
            return;
          }
          const { entry, key } = o;
          const owners = entry.owners as Map<number, string>;
          try {
            const result = checkUpdate(
              entry.doc,
              item.update,
              { userId: writer.userId, mayUseClient: (c) => writer.mayUseClient(c, owners) },
              { segment: key.segment, now: Date.now() },
            );
            if (!result.changes) {
              out[i] = { status: 'duplicate' };
              return;
            }
            const name = nameOf(key);
            if ([...result.created].some((id) => taken.has(id) || (creator.get(id) ?? name) !== name)) {
              throw new UpdateRefusedError('FORBIDDEN_UPDATE', 'A message with this id already exists in another conversation or segment');
            }
            Y.applyUpdate(entry.doc, item.update);
            if (entry.doc.store.pendingStructs || entry.doc.store.pendingDs) {
              throw new Error('an update passed the rules but left pending structs');
            }
            for (const c of result.clients) {
              if (!owners.has(c)) writes.clients.push({ ...key, clientId: c, deviceId: viewer.deviceId });
              owners.set(c, viewer.deviceId);
            }
            for (const id of result.created) creator.set(id, name);
            const ids = changed.get(name) ?? new Set();
            for (const id of result.messages) ids.add(id);
            changed.set(name, ids);
            o.seq++;
            o.grewBytes += item.update.byteLength;
            writes.updates.push({ ...key, seq: o.seq, update: item.update, deviceId: viewer.deviceId });
            accepted.push({ key, seq: o.seq, update: item.update, originDeviceId: viewer.deviceId });
            out[i] = { status: 'accepted' };
          } catch (e) {
            if (!(e instanceof UpdateRefusedError)) throw e;
            out[i] = {
              status: 'refused',
              code: e.code,
              message: e.message,
              stateVector: e.code === 'MISSING_DEPENDENCIES' ? Y.encodeStateVector(entry.doc) : undefined,
            };
          }
        });
      });

      // An id this group created that another of its segments also changes is an id that exists
      // there already: the creation was forged.
      const segmentsOf = new Map<string, number>();
      for (const ids of changed.values()) for (const id of ids) segmentsOf.set(id, (segmentsOf.get(id) ?? 0) + 1);
      const clashes = [...creator.keys()].filter((id) => (segmentsOf.get(id) ?? 0) > 1);
      if (clashes.length > 0) throw new TakenIdsError(new Set(clashes));

      for (const [name, ids] of changed) {
        const o = opened.get(name) as Opened;
        writes.lastSeqs.push({ ...o.key, lastSeq: o.seq });
        writes.messages.push(...projected(o.key, o.entry.doc, ids));
      }
      if (writes.updates.length === 0) return;
      const inserted = await writePushed(trx, writes);
      const collisions = writes.messages.filter((m) => creator.has(m.id) && !inserted.has(m.id)).map((m) => m.id);
      if (collisions.length > 0) throw new TakenIdsError(new Set(collisions));
    });
  } catch (e) {
    for (const o of opened.values()) cache.evict(o.key);
    if (e instanceof TakenIdsError) return e;
    throw e;
  }
  const compactAfter = Math.min(...requests.map((r) => r.compactAfterUpdates));
  for (const o of opened.values()) {
    o.entry.seq = o.seq;
    cache.grew(o.key, o.entry, o.grewBytes);
    if (compactionDue(o.seq, o.snapshotSeq, compactAfter)) scheduleCompaction(deps, o.key);
  }
  return { outcomes, accepted };
}

/** Message ids a group tried to create that exist elsewhere: it is rolled back and runs again without them. */
class TakenIdsError extends Error {
  constructor(readonly ids: Set<string>) {
    super('message ids already taken');
  }
}

function projected(key: SegmentKey, doc: Y.Doc, ids: Set<string>): ProjectedMessage[] {
  const out: ProjectedMessage[] = [];
  for (const id of ids) {
    const map = messagesOf(doc).get(id);
    const message = map && readMessage(map);
    if (message) out.push({ ...key, ...message, authorId: decodeGlobalId(message.author).id });
  }
  return out;
}

import {
  applyChecked,
  type CheckResult,
  checkUpdate,
  ErrorCode,
  IntegrationFailedError,
  limits,
  messagesOf,
  readMessage,
  UpdateRefusedError,
} from '@mailboat/schema';
import { sql } from 'kysely';
import * as Y from 'yjs';
import type { AppDeps, Viewer } from '../../context.js';
import type { Db } from '../../db/connect.js';
import { decodeGlobalId, encodeGlobalId } from '../../global-ids.js';
import { compactionDue, scheduleCompaction } from '../segments/compaction.js';
import type { CachedSegment, SegmentCache } from '../segments/segment-cache.js';
import type { SegmentKey } from '../segments/segments-repository.js';
import {
  compareKeys,
  findClientOwnersOf,
  lockMemberSegments,
  type ProjectedMessage,
  type PushWrites,
  writePushed,
} from './push-repository.js';
import type { PushItem, PushOutcome } from './push-service.js';

export type PushDeps = Pick<AppDeps, 'db' | 'segments'>;
/** One push: its viewer, its updates, and its app's compaction threshold (config.compactAfterUpdates). */
export type PushRequest = { viewer: Viewer; items: PushItem[]; compactAfterUpdates: number };
/** An update this group committed (its canonical form, see commitGroup), with what its publication needs. */
export type AcceptedUpdate = { key: SegmentKey; seq: number; update: Uint8Array; originDeviceId: string };
export type GroupResult = { outcomes: PushOutcome[][]; accepted: AcceptedUpdate[] };

const nameOf = (k: SegmentKey) => `${k.conversationId}:${k.segment}`;
const forbidden = (why: string) => new UpdateRefusedError('FORBIDDEN_UPDATE', why);

/**
 * What earlier attempts of a group learnt from the database: message ids taken elsewhere, and
 * reply targets (`${conversationId}:${messageId}`) the conversation has or lacks.
 */
type Known = { taken: Set<string>; present: Set<string>; absent: Set<string> };

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
    for (const { conversationId, segment } of items) keys.set(nameOf({ conversationId, segment }), { conversationId, segment });
  }
  const sorted = [...keys.values()].sort(compareKeys);
  // Message ids and reply targets in other segments are checked against committed rows
  // optimistically (a collision or a reply to nothing only comes from a forged or stale
  // update): then the transaction is rolled back and the group runs again knowing them.
  const known: Known = { taken: new Set(), present: new Set(), absent: new Set() };
  for (;;) {
    const attempt = await deps.segments.withSegments(sorted, () => attemptGroup(deps, requests, known));
    if (!(attempt instanceof RerunError)) return attempt;
    for (const id of attempt.taken) known.taken.add(id);
    for (const pair of attempt.present) known.present.add(pair);
    for (const pair of attempt.absent) known.absent.add(pair);
  }
}

/** An opened segment: its cached document (replaced when rebuilt) and what this group did to it. */
type Opened = {
  key: SegmentKey;
  entry: CachedSegment;
  snapshotSeq: number;
  seq: number;
  grewBytes: number;
  /** The canonical updates this group applied to it, in order (to rebuild its document). */
  applied: Uint8Array[];
};

async function attemptGroup(deps: PushDeps, requests: PushRequest[], known: Known): Promise<GroupResult | RerunError> {
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
        opened.set(name, { key, entry, snapshotSeq, seq: entry.seq, grewBytes: 0, applied: [] });
      }
      const unknownOwners = [...opened.values()].filter((o) => !o.entry.owners);
      if (unknownOwners.length > 0) {
        const found = await findClientOwnersOf(
          trx,
          unknownOwners.map((o) => o.key),
        );
        for (const o of unknownOwners) o.entry.owners = found.get(nameOf(o.key)) ?? new Map();
      }
      const starts = await findConversationStarts(trx, [...new Set([...opened.values()].map((o) => o.key.conversationId))]);

      const writes: PushWrites = { updates: [], lastSeqs: [], clients: [], messages: [] };
      const changed = new Map<string, Set<string>>(); // segment name -> message ids its updates changed
      const creator = new Map<string, string>(); // message id -> the segment an update of this group created it in
      const unverified = new Map<string, { conversationId: string; id: string }>(); // reply targets to look up
      for (const [r, { viewer, items }] of requests.entries()) {
        const out = outcomes[r] as PushOutcome[];
        const userId = encodeGlobalId('User', viewer.userId);
        for (const [i, item] of items.entries()) {
          const o = members.has(`${item.conversationId}:${viewer.userId}`) ? opened.get(nameOf(item)) : undefined;
          if (!o) {
            out[i] = { status: 'refused', code: ErrorCode.NOT_FOUND, message: 'Conversation not found' };
            continue;
          }
          const { key } = o;
          const name = nameOf(key);
          try {
            const owners = o.entry.owners as Map<number, string>;
            const result = checkUpdate(
              o.entry.doc,
              item.update,
              { userId, mayUseClient: (c) => (owners.get(c) ?? viewer.deviceId) === viewer.deviceId },
              { segment: key.segment, now: Date.now(), notBefore: notBefore(starts.get(key.conversationId)) },
            );
            if (!result.changes) {
              out[i] = { status: 'duplicate' };
              continue;
            }
            if ([...result.created].some((id) => known.taken.has(id) || (creator.get(id) ?? name) !== name)) {
              throw forbidden('A message with this id already exists in another conversation or segment');
            }
            const toVerify: string[] = []; // reply targets neither here nor known: looked up after the loop
            for (const target of result.replies.values()) {
              const pair = `${key.conversationId}:${target}`;
              const here =
                result.created.has(target) ||
                messagesOf(o.entry.doc).has(target) ||
                creator.get(target)?.startsWith(`${key.conversationId}:`) ||
                known.present.has(pair);
              if (here) continue;
              if (known.absent.has(pair)) throw forbidden('replyTo names no message of this conversation');
              toVerify.push(target);
            }
            const canonical = await applyOrRebuild(trx, cache, o, item.update, result);
            if (canonical === null) {
              out[i] = { status: 'duplicate' };
              continue;
            }
            for (const id of toVerify) unverified.set(`${key.conversationId}:${id}`, { conversationId: key.conversationId, id });
            for (const c of result.clients) {
              if (!owners.has(c)) writes.clients.push({ ...key, clientId: c, deviceId: viewer.deviceId });
              owners.set(c, viewer.deviceId);
            }
            for (const id of result.created) creator.set(id, name);
            const ids = changed.get(name) ?? new Set();
            for (const id of result.messages) ids.add(id);
            changed.set(name, ids);
            o.seq++;
            o.grewBytes += canonical.byteLength;
            writes.updates.push({ ...key, seq: o.seq, update: canonical, deviceId: viewer.deviceId });
            accepted.push({ key, seq: o.seq, update: canonical, originDeviceId: viewer.deviceId });
            out[i] = { status: 'accepted' };
          } catch (e) {
            if (!(e instanceof UpdateRefusedError)) throw e;
            out[i] = {
              status: 'refused',
              code: e.code,
              message: e.message,
              stateVector: e.code === 'MISSING_DEPENDENCIES' ? Y.encodeStateVector(o.entry.doc) : undefined,
            };
          }
        }
      }

      // An id this group created that another of its segments also changes is an id that exists
      // there already: the creation was forged.
      const segmentsOf = new Map<string, number>();
      for (const ids of changed.values()) for (const id of ids) segmentsOf.set(id, (segmentsOf.get(id) ?? 0) + 1);
      const clashes = [...creator.keys()].filter((id) => (segmentsOf.get(id) ?? 0) > 1);
      if (clashes.length > 0) throw new RerunError({ taken: clashes });
      if (unverified.size > 0) {
        const found = await findMessagesIn(trx, [...unverified.values()]);
        const absent = [...unverified.keys()].filter((pair) => !found.has(pair));
        if (absent.length > 0) throw new RerunError({ present: [...found], absent });
      }

      for (const [name, ids] of changed) {
        const o = opened.get(name) as Opened;
        writes.lastSeqs.push({ ...o.key, lastSeq: o.seq });
        writes.messages.push(...projected(o.key, o.entry.doc, ids, o.entry.owners as Map<number, string>));
      }
      if (writes.updates.length === 0) return;
      const inserted = await writePushed(trx, writes);
      const collisions = writes.messages.filter((m) => creator.has(m.id) && !inserted.has(m.id)).map((m) => m.id);
      if (collisions.length > 0) throw new RerunError({ taken: collisions });
    });
  } catch (e) {
    for (const o of opened.values()) cache.evict(o.key);
    if (e instanceof RerunError) return e;
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

/**
 * Applies an accepted update to its segment's document; returns its canonical update (null:
 * it changed nothing). When Yjs does otherwise than the rules judged, the document holds part
 * of the update: it is rebuilt (from the database as this transaction sees it, then this
 * group's updates before this one) and the IntegrationFailedError (MALFORMED_UPDATE) is thrown.
 */
async function applyOrRebuild(trx: Db, cache: SegmentCache, o: Opened, update: Uint8Array, checked: CheckResult) {
  try {
    const canonical = applyChecked(o.entry.doc, update, checked);
    if (canonical) o.applied.push(canonical);
    return canonical;
  } catch (e) {
    if (!(e instanceof IntegrationFailedError)) throw e;
    const owners = o.entry.owners;
    cache.evict(o.key);
    const entry = await cache.open(trx, o.key);
    entry.owners = owners;
    entry.doc.transact(() => {
      for (const u of o.applied) Y.applyUpdate(entry.doc, u);
    });
    o.entry = entry;
    console.error(`Segment ${nameOf(o.key)}: an update passed the write rules but Yjs integrated it otherwise (${e.message}); refused`);
    throw e;
  }
}

/**
 * The earliest createdAt a message of a conversation started at `start` may have: its start,
 * less the clock skew a device may have (limits.futureSkewMs), so a device a little behind
 * can write at once into a conversation just made.
 */
const notBefore = (start: number | undefined) => (start === undefined ? undefined : start - limits.futureSkewMs);

/** When each conversation was created (ms). */
async function findConversationStarts(db: Db, ids: string[]): Promise<Map<string, number>> {
  if (ids.length === 0) return new Map();
  const rows = await db.selectFrom('conversations').select(['id', 'created_at']).where('id', 'in', ids).execute();
  return new Map(rows.map((r) => [r.id, new Date(r.created_at).getTime()]));
}

/** Which of these (conversation, message id) pairs are stored messages, as `${conversationId}:${id}`. */
async function findMessagesIn(db: Db, pairs: { conversationId: string; id: string }[]): Promise<Set<string>> {
  const rows = await sql<{ conversation_id: string; id: string }>`
    select m.conversation_id, m.id from messages m
    join json_to_recordset(${JSON.stringify(pairs)}::json) as x("conversationId" uuid, id uuid)
      on m.conversation_id = x."conversationId" and m.id = x.id`.execute(db);
  return new Set(rows.rows.map((r) => `${r.conversation_id}:${r.id}`));
}

/** The group must run again knowing more (message ids taken elsewhere, reply targets the conversation has or lacks). */
class RerunError extends Error {
  readonly taken: string[];
  readonly present: string[];
  readonly absent: string[];
  constructor(learnt: { taken?: string[]; present?: string[]; absent?: string[] }) {
    super('the group runs again');
    this.taken = learnt.taken ?? [];
    this.present = learnt.present ?? [];
    this.absent = learnt.absent ?? [];
  }
}

/**
 * The messages `ids` as the projection stores them, each version with the device that wrote it:
 * `owners` maps a Yjs client ID to its device (null for a client the segment has no owner for).
 */
function projected(key: SegmentKey, doc: Y.Doc, ids: Set<string>, owners: ReadonlyMap<number, string>): ProjectedMessage[] {
  const out: ProjectedMessage[] = [];
  for (const id of ids) {
    const map = messagesOf(doc).get(id);
    const message = map && readMessage(map);
    if (!message) continue;
    const versions = message.versions.map(({ id, text, at, client }) => ({ id, text, at, deviceId: owners.get(client) ?? null }));
    out.push({ ...key, ...message, authorId: decodeGlobalId(message.author).id, versions });
  }
  return out;
}

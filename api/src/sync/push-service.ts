import { checkUpdate, ErrorCode, limits, messagesOf, type RefusalCode, readMessage, UpdateRefusedError } from '@mailboat/schema';
import * as Y from 'yjs';
import type { AppDeps, Viewer } from '../context.js';
import { findMembership, listMemberIds } from '../conversations/conversations-repository.js';
import { badInput } from '../errors.js';
import { decodeGlobalId, encodeGlobalId } from '../graphql/global-ids.js';
import { publishToUsers } from '../pubsub.js';
import { scheduleCompaction } from './compaction.js';
import { findTakenMessageIds, upsertMessages } from './messages-repository.js';
import { appendUpdates, findClientOwners, insertClientOwners, lockSegment, type SegmentKey } from './segments-repository.js';

export type PushItem = SegmentKey & { update: Uint8Array };

export type PushOutcome =
  | { status: 'accepted' | 'duplicate' }
  | { status: 'refused'; code: RefusalCode | typeof ErrorCode.NOT_FOUND; message: string; stateVector?: Uint8Array };

type Accepted = { key: SegmentKey; seq: number; update: Uint8Array };

/**
 * Authorizes and stores a batch of Yjs updates from the viewer's device; answers only after
 * everything accepted has committed. Each update gets its own outcome: refused updates
 * (non-member, forbidden by the write rules, malformed, missing dependencies) store nothing
 * and do not stop the others; a duplicate stores nothing. Accepted updates are published to
 * the conversation's members after the commit.
 */
export async function pushUpdates(deps: AppDeps, viewer: Viewer, items: PushItem[]): Promise<PushOutcome[]> {
  if (items.length > limits.pushUpdates.max) throw badInput('updates', `At most ${limits.pushUpdates.max} updates per push`);
  const outcomes: PushOutcome[] = new Array(items.length);
  const memberOf = new Map<string, boolean>();
  for (const id of new Set(items.map((i) => i.conversationId))) {
    memberOf.set(id, (await findMembership(deps.db, id, viewer.userId)) !== undefined);
  }
  const bySegment = new Map<string, { key: SegmentKey; indexes: number[] }>();
  items.forEach((item, index) => {
    if (!memberOf.get(item.conversationId)) {
      outcomes[index] = { status: 'refused', code: ErrorCode.NOT_FOUND, message: 'Conversation not found' };
      return;
    }
    const name = `${item.conversationId}:${item.segment}`;
    const group = bySegment.get(name) ?? { key: { conversationId: item.conversationId, segment: item.segment }, indexes: [] };
    group.indexes.push(index);
    bySegment.set(name, group);
  });
  const groups = [...bySegment.values()].sort((a, b) => compareKeys(a.key, b.key));
  const writer = { userId: encodeGlobalId('User', viewer.userId) };
  const cache = deps.segments;
  // Message ids are checked against other conversations and segments once per segment, after
  // its updates were applied (optimistically: collisions only come from forged updates). On a
  // collision the transaction is rolled back and the push runs again, refusing those updates.
  const taken = new Set<string>();
  let accepted: Accepted[] = [];
  for (;;) {
    accepted = [];
    const collided = await cache.withSegments(
      groups.map((g) => g.key),
      async (): Promise<Set<string> | undefined> => {
        const touched: { key: SegmentKey; seq: number; snapshotSeq: number; entry: Awaited<ReturnType<typeof cache.open>> }[] = [];
        try {
          await deps.db.transaction().execute(async (trx) => {
            for (const { key, indexes } of groups) {
              const { lastSeq, snapshotSeq } = await lockSegment(trx, key);
              const entry = await cache.open(trx, key, lastSeq);
              entry.owners ??= await findClientOwners(trx, key);
              const owners = entry.owners;
              touched.push({ key, seq: entry.seq, snapshotSeq, entry });
              let seq = entry.seq;
              const rows: { seq: number; update: Uint8Array; deviceId: string }[] = [];
              const changedMessages = new Set<string>();
              const created: string[] = [];
              const newClients: number[] = [];
              for (const index of indexes) {
                const item = items[index] as PushItem;
                try {
                  const result = checkUpdate(
                    entry.doc,
                    item.update,
                    { ...writer, mayUseClient: (c) => (owners.get(c) ?? viewer.deviceId) === viewer.deviceId },
                    { segment: key.segment, now: Date.now() },
                  );
                  if (!result.changes) {
                    outcomes[index] = { status: 'duplicate' };
                    continue;
                  }
                  if ([...result.created].some((id) => taken.has(id))) {
                    throw new UpdateRefusedError(
                      'FORBIDDEN_UPDATE',
                      'A message with this id already exists in another conversation or segment',
                    );
                  }
                  Y.applyUpdate(entry.doc, item.update);
                  if (entry.doc.store.pendingStructs || entry.doc.store.pendingDs) {
                    throw new Error('an update passed the rules but left pending structs');
                  }
                  for (const c of result.clients) {
                    if (!owners.has(c)) newClients.push(c);
                    owners.set(c, viewer.deviceId);
                  }
                  for (const id of result.messages) changedMessages.add(id);
                  created.push(...result.created);
                  rows.push({ seq: ++seq, update: item.update, deviceId: viewer.deviceId });
                  accepted.push({ key, seq, update: item.update });
                  outcomes[index] = { status: 'accepted' };
                } catch (e) {
                  if (!(e instanceof UpdateRefusedError)) throw e;
                  outcomes[index] = {
                    status: 'refused',
                    code: e.code,
                    message: e.message,
                    stateVector: e.code === 'MISSING_DEPENDENCIES' ? Y.encodeStateVector(entry.doc) : undefined,
                  };
                }
              }
              const collisions = await findTakenMessageIds(trx, created);
              if (collisions.size > 0) throw new TakenIdsError(collisions);
              await appendUpdates(trx, key, rows, seq);
              await insertClientOwners(trx, key, newClients, viewer.deviceId);
              await upsertMessages(trx, key.conversationId, key.segment, projected(entry.doc, changedMessages));
              (touched.at(-1) as { seq: number }).seq = seq;
            }
          });
        } catch (e) {
          for (const t of touched) cache.evict(t.key);
          if (e instanceof TakenIdsError) return e.ids;
          throw e;
        }
        for (const t of touched) t.entry.seq = t.seq;
        for (const t of touched) if (t.seq - t.snapshotSeq > deps.config.compactAfterUpdates) scheduleCompaction(deps, t.key);
        return undefined;
      },
    );
    if (!collided) break;
    for (const id of collided) taken.add(id);
  }

  await publishAccepted(deps, viewer, accepted);
  return outcomes;
}

/** Message ids a push tried to create that exist elsewhere: the push is rolled back and redone without them. */
class TakenIdsError extends Error {
  constructor(readonly ids: Set<string>) {
    super('message ids already taken');
  }
}

function projected(doc: Y.Doc, ids: Set<string>) {
  const out = [];
  for (const id of ids) {
    const map = messagesOf(doc).get(id);
    const message = map && readMessage(map);
    if (message) out.push({ ...message, authorId: decodeGlobalId(message.author).id });
  }
  return out;
}

async function publishAccepted(deps: AppDeps, viewer: Viewer, accepted: Accepted[]): Promise<void> {
  const members = new Map<string, string[]>();
  for (const { key, seq, update } of accepted) {
    if (!members.has(key.conversationId)) members.set(key.conversationId, await listMemberIds(deps.db, key.conversationId));
    publishToUsers(deps.pubsub, members.get(key.conversationId) ?? [], {
      kind: 'segmentUpdated',
      conversationId: key.conversationId,
      segment: key.segment,
      seq,
      update,
      originDeviceId: viewer.deviceId,
    });
  }
}

function compareKeys(a: SegmentKey, b: SegmentKey): number {
  return a.conversationId < b.conversationId ? -1 : a.conversationId > b.conversationId ? 1 : a.segment - b.segment;
}

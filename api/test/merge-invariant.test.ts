import { createMessage, Field, listMessages, messagesOf, segmentOf, segmentStart, setReaction } from '@mailboat/schema';
import { createMessageV1 } from '@mailboat/schema/legacy';
import { v7 as uuidv7 } from 'uuid';
import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { encodeUpdate, item } from '../../schema/test/craft.js';
import { FuzzWorld, sampleCommands } from '../../schema/test/fuzz-world.js';
import { contentOf, ServerSim } from '../../schema/test/server-sim.js';
import type { Db } from '../src/db/connect.js';
import { decodeGlobalId } from '../src/global-ids.js';
import { compactSegment } from '../src/sync/segments/compaction.js';
import { SegmentCache } from '../src/sync/segments/segment-cache.js';
import type { SegmentKey } from '../src/sync/segments/segments-repository.js';
import { backends, type Session, type TestApp, type TestClient, useTestApp } from './harness.js';
import { b64, PUSH } from './sync-device.js';

// The push path's invariant against the real API (PGlite and Postgres): whatever it accepts,
// the live document, the document rebuilt from the database and the compacted snapshot are
// identical, every member can list the conversation, and an attack is refused on its own.

const MESSAGES = `query($id: ID!, $after: String) { conversation(id: $id) {
  messages(first: 100, after: $after) { edges { node { text deleted } } pageInfo { hasNextPage endCursor } } } }`;
const SEED = Number(process.env.FUZZ_SEED ?? 20261207);

type Conversation = { ana: Session; bo: Session; mal: Session; id: string; key: SegmentKey; createdAt: number; base: number };

/** Ana, Bo and Mallory in a new group; `base` is a createdAt after its creation with room after it in its segment. */
async function conversation(client: TestClient, db: Db): Promise<Conversation> {
  const [ana, bo, mal] = await Promise.all([client.signUp('ana'), client.signUp('bo'), client.signUp('mal')]);
  const id = await client.createGroup(ana, [bo, mal], 'fuzz');
  const conversationId = decodeGlobalId(id).id;
  const row = await db.selectFrom('conversations').select('created_at').where('id', '=', conversationId).executeTakeFirstOrThrow();
  const createdAt = new Date(row.created_at).getTime();
  let base = createdAt + 1;
  // Room for the test's messages in one segment: near the end of an hour, the next one (less than 4 minutes ahead: allowed).
  if (segmentOf(base + 240_000) !== segmentOf(base)) base = segmentStart(segmentOf(base) + 1) + 1;
  return { ana, bo, mal, id, key: { conversationId, segment: segmentOf(base) }, createdAt, base };
}

type Result = { status: string; error: { code: string } | null };

async function push(client: TestClient, c: Conversation, session: Session, updates: Uint8Array[]): Promise<Result[]> {
  const data = await client.ok(
    PUSH,
    { updates: updates.map((u) => ({ conversationId: c.id, segment: c.key.segment, update: b64(u) })) },
    session.accessToken,
  );
  return data.pushUpdates.results;
}

const outcomeOf = (r: Result) => (r.status === 'REFUSED' ? (r.error?.code ?? 'REFUSED') : r.status.toLowerCase());

/** The segment as the app holds it live, as a fresh process loads it, and every member's listing of it. */
async function expectIdentical(app: TestApp, c: Conversation, expected: ReturnType<typeof contentOf>): Promise<void> {
  const { db, segments } = app.deps;
  const live = await segments.withSegments([c.key], async () => (await segments.open(db, c.key)).doc);
  expect(contentOf(live), 'live').toEqual(expected);
  expect(contentOf((await new SegmentCache(1).open(db, c.key)).doc), 'rebuilt from the database').toEqual(expected);
  for (const session of [c.ana, c.bo, c.mal]) {
    const listed: { text: string; deleted: boolean }[] = [];
    for (let after: string | undefined, more = true; more; ) {
      const page = (await app.client.ok(MESSAGES, { id: c.id, after }, session.accessToken)).conversation.messages;
      listed.push(...page.edges.map((e: { node: { text: string; deleted: boolean } }) => e.node));
      [more, after] = [page.pageInfo.hasNextPage, page.pageInfo.endCursor];
    }
    expect(listed).toEqual(expected.messages.map((m) => ({ text: m.text, deleted: m.deleted })));
  }
}

/** Asserts that no two stored pieces of the segment (snapshot, logged updates) hold the same clock of a client. */
async function expectStoredOnce(db: Db, key: SegmentKey, served: Y.Doc): Promise<void> {
  const segment = await db
    .selectFrom('segments')
    .select('snapshot')
    .where('conversation_id', '=', key.conversationId)
    .where('segment', '=', key.segment)
    .executeTakeFirstOrThrow();
  const log = await db
    .selectFrom('segment_updates')
    .select('update')
    .where('conversation_id', '=', key.conversationId)
    .where('segment', '=', key.segment)
    .execute();
  const covered = new Map<number, number>();
  for (const piece of [...(segment.snapshot ? [segment.snapshot] : []), ...log.map((r) => r.update)]) {
    const { from, to } = Y.parseUpdateMeta(piece);
    for (const [client, end] of to) covered.set(client, (covered.get(client) ?? 0) + end - (from.get(client) ?? 0));
  }
  expect(Object.fromEntries(covered)).toEqual(Object.fromEntries(Y.decodeStateVector(Y.encodeStateVector(served))));
}

describe.each(backends)('the push path on %s', (backend) => {
  const app = useTestApp(backend, { COMPACT_AFTER_UPDATES: '1000000' });

  it('replays a fuzz corpus of honest and hostile pushes with the outcomes of the rules alone, and live == rebuilt == compacted', async () => {
    const { client, deps } = app();
    const c = await conversation(client, deps.db);
    const sim = new ServerSim({ segment: c.key.segment, now: Date.now(), notBefore: c.createdAt });
    const world = new FuzzWorld(sim, { ana: c.ana.userId, bo: c.bo.userId, mal: c.mal.userId }, c.base, 1_000_000);
    for (const commands of sampleCommands(SEED, 8, 60)) world.run(commands);
    world.settle();
    const sessions = new Map([c.ana, c.bo, c.mal].map((s) => [s.userId, s]));
    // Consecutive pushes of one user go in one request: a group commit answers each as if alone, in order.
    const mismatches: string[] = [];
    for (let i = 0; i < world.transcript.length; ) {
      let j = i + 1;
      while (j < world.transcript.length && j - i < 20 && world.transcript[j]?.userId === world.transcript[i]?.userId) j++;
      const batch = world.transcript.slice(i, j);
      const results = await push(
        client,
        c,
        sessions.get(batch[0]?.userId as string) as Session,
        batch.map((p) => p.update),
      );
      batch.forEach((p, k) => {
        const expected = p.outcome.replace(':reply', '');
        const got = outcomeOf(results[k] as Result);
        if (got !== expected) mismatches.push(`push ${i + k} (${p.source}): rules alone ${expected}, API ${got}`);
      });
      i = j;
    }
    expect(mismatches).toEqual([]);
    const accepted = world.transcript.filter((p) => p.outcome === 'accepted');
    console.info(`[merge-invariant] ${backend}: ${world.transcript.length} pushes replayed, ${accepted.length} accepted (seed ${SEED})`);
    expect(accepted.filter((p) => p.source !== 'honest' && p.source !== 'sandbox').length).toBeGreaterThan(5); // hostile ones too
    const expected = contentOf(sim.doc);
    await expectIdentical(app(), c, expected);
    await expectStoredOnce(deps.db, c.key, sim.doc);
    await compactSegment(deps.db, c.key); // from the stored log
    await expectIdentical(app(), c, expected);
    await expectStoredOnce(deps.db, c.key, sim.doc);
  }, 120_000);

  it('refuses each attack on its own, with its code, while the honest updates pushed with it are accepted', async () => {
    const { client, deps } = app();
    const c = await conversation(client, deps.db);
    const [A, M] = [uuidv7(), uuidv7()];
    const device = (clientID: number) => {
      const doc = new Y.Doc();
      doc.clientID = clientID;
      return doc;
    };
    const change = (doc: Y.Doc, write: () => void) => {
      const sv = Y.encodeStateVector(doc);
      write();
      return Y.encodeStateAsUpdate(doc, sv);
    };
    const ana = device(1001);
    const mal = device(2002);
    const first = change(ana, () => createMessage(ana, { id: A, author: c.ana.userId, createdAt: c.base, text: 'hi' }));
    expect((await push(client, c, c.ana, [first])).map(outcomeOf)).toEqual(['accepted']);
    Y.applyUpdate(mal, first);
    const hers = change(mal, () => createMessageV1(mal, { id: M, author: c.mal.userId, createdAt: c.base + 1, text: 'mine' }));
    const reaction = change(mal, () => setReaction(mal, A, c.mal.userId, '👍'));
    const last = Y.getState(mal.store, 2002) - 1; // her reaction on Ana's message
    const text = ((messagesOf(mal).get(M) as Y.Map<unknown>)._map.get(Field.text) as Y.Item).id;
    const chars = (s: string) => new Y.ContentString(s);
    // Its known head is her reaction: Yjs would link the tail into Ana's reactions, the update names her own text.
    const tail = encodeUpdate([{ client: 2002, clock: last, structs: [item(2002, last, { parent: text, content: chars('xevil') })] }]);
    const forward = encodeUpdate([
      {
        client: 2002,
        clock: last + 1,
        structs: [
          item(2002, last + 1, { origin: Y.createID(2002, last + 2), content: chars('a') }),
          item(2002, last + 2, { parent: text, content: chars('b') }),
        ],
      },
    ]);
    const cycle = encodeUpdate([
      { client: 2003, clock: 0, structs: [item(2003, 0, { origin: Y.createID(2002, last + 2), content: chars('y') })] },
      {
        client: 2002,
        clock: last + 1,
        structs: [
          item(2002, last + 1, { origin: Y.createID(2003, 0), content: chars('x') }),
          item(2002, last + 2, { parent: text, content: chars('z') }),
        ],
      },
    ]);
    const edit = change(mal, () => ((messagesOf(mal).get(M) as Y.Map<unknown>).get(Field.text) as Y.Text).insert(4, '!'));
    const results = await push(client, c, c.mal, [hers, reaction, tail, forward, cycle, edit]);
    expect(results.map(outcomeOf)).toEqual([
      'accepted',
      'accepted',
      'MALFORMED_UPDATE',
      'MALFORMED_UPDATE',
      'MISSING_DEPENDENCIES',
      'accepted',
    ]);
    const expected = contentOf(mal);
    expect(listMessages(mal).map((m) => [m.text, m.reactions])).toEqual([
      ['hi', { [c.mal.userId]: '👍' }],
      ['mine!', {}],
    ]);
    await expectIdentical(app(), c, expected);
    await compactSegment(deps.db, c.key, { cache: deps.segments }); // from the live document
    await expectIdentical(app(), c, expected);
  }, 60_000);

  it('stores and publishes only what Yjs integrated of an update that straddles what the server has', async () => {
    const { client, deps } = app();
    const c = await conversation(client, deps.db);
    const doc = new Y.Doc();
    doc.clientID = 4242;
    const ids = [uuidv7(), uuidv7()];
    createMessage(doc, { id: ids[0] as string, author: c.ana.userId, createdAt: c.base, text: 'one' });
    const middle = Y.encodeStateVector(doc);
    const known = Y.getState(doc.store, 4242);
    expect((await push(client, c, c.ana, [Y.encodeStateAsUpdate(doc)])).map(outcomeOf)).toEqual(['accepted']);
    createMessage(doc, { id: ids[1] as string, author: c.ana.userId, createdAt: c.base + 1, text: 'two' });
    // Re-encoded from the empty state: it holds the first message again, then the second.
    expect((await push(client, c, c.ana, [Y.encodeStateAsUpdate(doc)])).map(outcomeOf)).toEqual(['accepted']);
    const rows = await deps.db
      .selectFrom('segment_updates')
      .select('update')
      .where('conversation_id', '=', c.key.conversationId)
      .orderBy('seq')
      .execute();
    expect(rows.map((r) => Y.parseUpdateMeta(r.update).from.get(4242))).toEqual([0, known]);
    expect(Buffer.from(rows[1]?.update as Uint8Array)).toEqual(Buffer.from(Y.encodeStateAsUpdate(doc, middle)));
    await expectStoredOnce(deps.db, c.key, doc);
    await expectIdentical(app(), c, contentOf(doc));
  });
});

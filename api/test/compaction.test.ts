import { listMessages, segmentOf, segmentStart } from '@mailboat/schema';
import { sql } from 'kysely';
import { afterEach, describe, expect, it, vi } from 'vitest';
import * as Y from 'yjs';
import type { AppDeps } from '../src/context.js';
import type { Db } from '../src/db/connect.js';
import { decodeGlobalId } from '../src/global-ids.js';
import { pushUpdates } from '../src/sync/push/push-service.js';
import { compactionDue, compactionsSettled, compactSegment, mergeInChunks, scheduleCompaction } from '../src/sync/segments/compaction.js';
import { SegmentCache } from '../src/sync/segments/segment-cache.js';
import { findSegmentSeqs, loadSegment, replaceSnapshot, type SegmentKey } from '../src/sync/segments/segments-repository.js';
import { backends, type Session, type TestClient, useTestApp } from './harness.js';
import { SyncDevice } from './sync-device.js';

const rawId = (globalId: string) => decodeGlobalId(globalId).id;

/** Pushes the device's outbox in batches of at most 500 and expects every update accepted. */
async function pushAll(device: SyncDevice): Promise<void> {
  const pending = device.outbox.splice(0);
  for (let i = 0; i < pending.length; i += 500) {
    const results = await device.push(pending.slice(i, i + 500));
    const refused = results.filter((r) => r.status !== 'ACCEPTED');
    if (refused.length > 0) throw new Error(`push refused: ${JSON.stringify(refused[0])}`);
  }
}

/** Every update the device writes: a message every time, now and then an edit or a reaction. */
function write(device: SyncDevice, conversationId: string, segment: number, n: number, label: string): string[] {
  const ids: string[] = [];
  const base = segmentStart(segment);
  for (let i = 0; i < n; i++) {
    const { id } = device.send(conversationId, `${label} ${i}`, base + 1 + (i % 3_000_000));
    ids.push(id);
    if (i % 10 === 9) device.edit(conversationId, segment, id, `${label} ${i} (edited)`);
    if (i % 15 === 14) device.react(conversationId, segment, ids[i - 1] as string, '👍');
  }
  return ids;
}

/** The segment as a fresh process would load it: snapshot and log, straight from the database. */
async function loadFresh(db: Db, key: SegmentKey): Promise<Y.Doc> {
  const { doc } = await new SegmentCache(1).open(db, key);
  return doc;
}

/** `db`, with `hook` run before each transaction it starts (Kysely keeps private fields: bind, do not copy). */
function withTransactionHook(db: Db, hook: () => Promise<unknown> | undefined): Db {
  return new Proxy(db, {
    get(target, property) {
      if (property === 'transaction') {
        return () => ({
          execute: async <T>(fn: (trx: Db) => Promise<T>) => {
            await hook();
            return target.transaction().execute(fn);
          },
        });
      }
      const value = Reflect.get(target, property, target);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
}

function expectSameDocument(actual: Y.Doc, expected: Y.Doc): void {
  expect(Buffer.from(Y.encodeStateVector(actual))).toEqual(Buffer.from(Y.encodeStateVector(expected)));
  expect(listMessages(actual)).toEqual(listMessages(expected));
  expect(actual.store.pendingStructs).toBeNull();
}

describe.each(backends)('compacting segment update logs on %s', (backend) => {
  // Background compaction is tested through its own deps below; keep it out of the other tests' way.
  const app = useTestApp(backend, { COMPACT_AFTER_UPDATES: '1000000' });
  afterEach(() => vi.restoreAllMocks());

  async function setup(): Promise<{
    client: TestClient;
    ana: Session;
    bo: Session;
    conversationId: string;
    key: SegmentKey;
    segment: number;
  }> {
    const { client } = app();
    const { ana, bo, conversationId } = await client.directPair();
    await client.backdate(conversationId, 3 * 3_600_000); // so it may hold messages of past hours
    const segment = segmentOf(Date.now()) - 2; // a whole past hour
    return { client, ana, bo, conversationId, segment, key: { conversationId: rawId(conversationId), segment } };
  }

  const countUpdates = async (key: SegmentKey) =>
    Number(
      (
        await sql<{
          n: string;
        }>`select count(*) as n from segment_updates where conversation_id = ${key.conversationId} and segment = ${key.segment}`.execute(
          app().deps.db,
        )
      ).rows[0]?.n,
    );

  /** What a brand-new device gets from the API. */
  async function serverDoc(client: TestClient, session: Session, conversationId: string, segment: number): Promise<Y.Doc> {
    const device = new SyncDevice(client, session);
    await device.pull([{ conversationId, segment }]);
    return device.doc(conversationId, segment);
  }

  it('merges 3,000 updates into a snapshot holding the same document, and deletes them', async () => {
    const { client, ana, conversationId, segment, key } = await setup();
    const phone = new SyncDevice(client, ana);
    const ids = write(phone, conversationId, segment, 2_600, 'message');
    expect(phone.outbox.length).toBeGreaterThanOrEqual(3_000);
    const updates = phone.outbox.length;
    await pushAll(phone);
    const before = await loadFresh(app().deps.db, key);
    expectSameDocument(before, phone.doc(conversationId, segment));

    const started = performance.now();
    const result = await compactSegment(app().deps.db, key);
    const ms = performance.now() - started;
    console.info(`[${backend}] compacted ${updates} updates in ${ms.toFixed(0)} ms (${Math.round((updates / ms) * 1000)} updates/s)`);

    expect(result).toEqual({ merged: updates, snapshotSeq: updates });
    expect(await countUpdates(key)).toBe(0);
    expect(await findSegmentSeqs(app().deps.db, key)).toEqual({ lastSeq: updates, snapshotSeq: updates });
    const after = await loadFresh(app().deps.db, key);
    expectSameDocument(after, phone.doc(conversationId, segment));
    expect(listMessages(after).map((m) => m.id)).toEqual(ids);
    expectSameDocument(await serverDoc(client, ana, conversationId, segment), phone.doc(conversationId, segment));
    expect(await compactSegment(app().deps.db, key)).toEqual({ merged: 0, snapshotSeq: updates }); // nothing left to do
  });

  it('is due after compactAfter updates beyond the snapshot, and after a quarter of all updates once a segment is large', () => {
    expect(compactionDue(1000, 0, 1000)).toBe(false);
    expect(compactionDue(1001, 0, 1000)).toBe(true);
    expect(compactionDue(2002, 1001, 1000)).toBe(true);
    // 40k updates compacted: 1,001 more are not yet worth rewriting the whole document.
    expect(compactionDue(41_001, 40_000, 1000)).toBe(false);
    expect(compactionDue(53_334, 40_000, 1000)).toBe(true);
  });

  it('merges in chunks to the same result as one merge', async () => {
    const doc = new Y.Doc();
    const updates: Uint8Array[] = [];
    doc.on('update', (u: Uint8Array) => updates.push(u));
    const text = doc.getText('t');
    for (let i = 0; i < 2_500; i++) text.insert(Math.floor(text.length / 2), `${i},`);
    const merged = await mergeInChunks(updates, 100);
    const target = new Y.Doc();
    Y.applyUpdate(target, merged);
    expect(target.getText('t').toString()).toBe(text.toString());
    expect(Buffer.from(Y.encodeStateVector(target))).toEqual(Buffer.from(Y.encodeStateVector(doc)));
  });

  it('loses nothing pushed while a compaction reads and merges', async () => {
    const { client, ana, bo, conversationId, segment, key } = await setup();
    const phone = new SyncDevice(client, ana);
    const bos = new SyncDevice(client, bo);
    write(phone, conversationId, segment, 1_500, 'early');
    await pushAll(phone);
    await bos.pull([{ conversationId, segment }]);

    // Writers keep pushing (two devices, small batches) for as long as the compaction runs.
    let compacting = true;
    const writer = async (device: SyncDevice, label: string) => {
      let pushed = 0;
      while (compacting || pushed < 5) {
        write(device, conversationId, segment, 3, `${label} ${pushed}`);
        await pushAll(device);
        pushed++;
      }
      return pushed;
    };
    const writers = Promise.all([writer(phone, 'ana'), writer(bos, 'bo')]);
    const result = await compactSegment(app().deps.db, key).finally(() => {
      compacting = false;
    });
    const [anaPushes, boPushes] = await writers;
    expect(result.merged).toBeGreaterThanOrEqual(1_500);

    const seqs = await findSegmentSeqs(app().deps.db, key);
    expect(await countUpdates(key)).toBe((seqs?.lastSeq ?? 0) - (seqs?.snapshotSeq ?? 0));
    await phone.pull([{ conversationId, segment }]);
    await bos.pull([{ conversationId, segment }]);
    expectSameDocument(bos.doc(conversationId, segment), phone.doc(conversationId, segment));
    expect(listMessages(phone.doc(conversationId, segment))).toHaveLength(1_500 + 3 * ((anaPushes ?? 0) + (boPushes ?? 0)));
    expectSameDocument(await loadFresh(app().deps.db, key), phone.doc(conversationId, segment));
    expectSameDocument(await serverDoc(client, bo, conversationId, segment), phone.doc(conversationId, segment));
  });

  it('keeps updates committed between the compaction read and its commit', async () => {
    const { client, ana, conversationId, segment, key } = await setup();
    const phone = new SyncDevice(client, ana);
    write(phone, conversationId, segment, 300, 'before');
    const early = phone.outbox.length;
    await pushAll(phone);
    // The compaction has read and merged seq <= early; these commit before its own transaction starts.
    write(phone, conversationId, segment, 40, 'during');
    const late = phone.outbox.length;
    const db = withTransactionHook(app().deps.db, () => pushAll(phone));
    expect(await compactSegment(db, key)).toEqual({ merged: early, snapshotSeq: early });
    expect(await findSegmentSeqs(app().deps.db, key)).toEqual({ lastSeq: early + late, snapshotSeq: early });
    expect(await countUpdates(key)).toBe(late);
    expectSameDocument(await loadFresh(app().deps.db, key), phone.doc(conversationId, segment));
    expect(listMessages(await loadFresh(app().deps.db, key))).toHaveLength(340);
    await compactSegment(app().deps.db, key); // folds in the rest
    expect(await countUpdates(key)).toBe(0);
    expectSameDocument(await loadFresh(app().deps.db, key), phone.doc(conversationId, segment));
  });

  it('rebuilds a cached document that compaction left behind, and a device catching up still converges', async () => {
    const { client, ana, bo, conversationId, segment, key } = await setup();
    const phone = new SyncDevice(client, ana);
    write(phone, conversationId, segment, 200, 'first');
    const first = phone.outbox.length;
    await pushAll(phone);
    const bos = new SyncDevice(client, bo);
    await bos.pull([{ conversationId, segment }]);
    // Another process's cache, behind the snapshot the compaction below makes.
    const otherNode = new SegmentCache(10);
    const stale = await otherNode.open(app().deps.db, key);
    expect(stale.seq).toBe(first);
    const staleDoc = stale.doc;

    write(phone, conversationId, segment, 150, 'second');
    await pushAll(phone);
    await compactSegment(app().deps.db, key); // snapshot_seq beyond the other cache's seq
    write(phone, conversationId, segment, 20, 'third');
    await pushAll(phone);

    const caughtUp = await otherNode.open(app().deps.db, key);
    expect(caughtUp.doc).not.toBe(staleDoc); // rebuilt from the snapshot, not patched with a gap
    expectSameDocument(caughtUp.doc, phone.doc(conversationId, segment));
    expect(caughtUp.seq).toBe((await findSegmentSeqs(app().deps.db, key))?.lastSeq);

    // A cache exactly at the snapshot, or ahead of it, is patched in place.
    await compactSegment(app().deps.db, key);
    write(phone, conversationId, segment, 5, 'fourth');
    await pushAll(phone);
    const patched = await otherNode.open(app().deps.db, key);
    expect(patched.doc).toBe(caughtUp.doc);
    expectSameDocument(patched.doc, phone.doc(conversationId, segment));

    const [bytes] = await bos.pull([{ conversationId, segment }]);
    expect(bytes).toBeGreaterThan(2);
    expectSameDocument(bos.doc(conversationId, segment), phone.doc(conversationId, segment));
  });

  it('lets two compactors race without harm, whichever commits first', async () => {
    const { client, ana, conversationId, segment, key } = await setup();
    const phone = new SyncDevice(client, ana);
    const db = app().deps.db;
    write(phone, conversationId, segment, 400, 'a');
    await pushAll(phone);

    // Both read the same log, both commit: the second finds a snapshot as new as its own.
    const [one, two] = await Promise.all([compactSegment(db, key), compactSegment(db, key)]);
    const total = (await findSegmentSeqs(db, key))?.lastSeq;
    expect(one.merged + two.merged).toBe(total);
    expect(await findSegmentSeqs(db, key)).toEqual({ lastSeq: total, snapshotSeq: total });
    expectSameDocument(await loadFresh(db, key), phone.doc(conversationId, segment));

    // A slow compactor that read less commits after a faster one that read more: it changes nothing.
    write(phone, conversationId, segment, 50, 'b');
    await pushAll(phone);
    const seqsBefore = await findSegmentSeqs(db, key);
    const slowInput = await loadSegment(db, key);
    write(phone, conversationId, segment, 50, 'c');
    await pushAll(phone);
    const fast = await compactSegment(db, key);
    const seqs = await findSegmentSeqs(db, key);
    expect(fast.snapshotSeq).toBe(seqs?.lastSeq);
    const slowSnapshot = await mergeInChunks([slowInput?.snapshot as Uint8Array, ...(slowInput?.updates ?? []).map((u) => u.update)]);
    const stale = await db.transaction().execute((trx) => replaceSnapshot(trx, key, slowSnapshot, seqsBefore?.lastSeq as number));
    expect(stale).toBe(false);
    expect(await findSegmentSeqs(db, key)).toEqual(seqs);
    expectSameDocument(await loadFresh(db, key), phone.doc(conversationId, segment));

    // The other order: the one that read less commits first, the one that read more still applies.
    write(phone, conversationId, segment, 30, 'd');
    await pushAll(phone);
    const older = await loadSegment(db, key);
    write(phone, conversationId, segment, 30, 'e');
    await pushAll(phone);
    const newer = await loadSegment(db, key);
    const merge = (s: typeof older) => mergeInChunks([s?.snapshot as Uint8Array, ...(s?.updates ?? []).map((u) => u.update)]);
    const olderSeq = older?.updates.at(-1)?.seq as number;
    const newerSeq = newer?.updates.at(-1)?.seq as number;
    const [olderSnapshot, newerSnapshot] = [await merge(older), await merge(newer)];
    expect(await db.transaction().execute((trx) => replaceSnapshot(trx, key, olderSnapshot, olderSeq))).toBe(true);
    expect(await countUpdates(key)).toBe(newerSeq - olderSeq);
    expect(await db.transaction().execute((trx) => replaceSnapshot(trx, key, newerSnapshot, newerSeq))).toBe(true);
    expect(await countUpdates(key)).toBe(0);
    expectSameDocument(await loadFresh(db, key), phone.doc(conversationId, segment));
    expect(listMessages(await loadFresh(db, key))).toHaveLength(560);
  });

  it('compacts in the background after a push that leaves enough updates, without failing the push', async () => {
    const { client, ana, conversationId, segment, key } = await setup();
    const deps: AppDeps = { ...app().deps, config: { ...app().deps.config, compactAfterUpdates: 50 } };
    const viewer = { userId: rawId(ana.userId), deviceId: rawId(ana.deviceId) };
    const phone = new SyncDevice(client, ana);
    write(phone, conversationId, segment, 40, 'x');
    const batch = phone.outbox.splice(0).map((u) => ({ conversationId: key.conversationId, segment, update: u.update }));
    expect((await pushUpdates(deps, viewer, batch)).every((o) => o.status === 'accepted')).toBe(true);
    await compactionsSettled(deps);
    expect((await findSegmentSeqs(deps.db, key))?.snapshotSeq).toBe(0); // not over the threshold yet

    write(phone, conversationId, segment, 20, 'y');
    const more = phone.outbox.splice(0).map((u) => ({ conversationId: key.conversationId, segment, update: u.update }));
    expect((await pushUpdates(deps, viewer, more)).every((o) => o.status === 'accepted')).toBe(true);
    await compactionsSettled(deps);
    const seqs = await findSegmentSeqs(deps.db, key);
    expect(seqs?.snapshotSeq).toBe(seqs?.lastSeq);
    expect(await countUpdates(key)).toBe(0);
    expectSameDocument(await loadFresh(deps.db, key), phone.doc(conversationId, segment)); // the stored snapshot itself
    expectSameDocument(await serverDoc(client, ana, conversationId, segment), phone.doc(conversationId, segment));
  });

  it('compacts from the live cached document while pushes keep coming, losing none of them', async () => {
    const { client, ana, conversationId, segment, key } = await setup();
    const { db, segments: cache } = app().deps;
    const phone = new SyncDevice(client, ana);
    write(phone, conversationId, segment, 300, 'before');
    await pushAll(phone);
    let compactions = 0;
    for (let round = 0; round < 5; round++) {
      write(phone, conversationId, segment, 60, `round ${round}`);
      const [result] = await Promise.all([compactSegment(db, key, { cache }), pushAll(phone)]);
      if (result.merged > 0) compactions++;
    }
    expect(compactions).toBeGreaterThan(0);
    await compactSegment(db, key, { cache });
    expect(await countUpdates(key)).toBe(0);
    expectSameDocument(await loadFresh(db, key), phone.doc(conversationId, segment));
    expect(listMessages(await loadFresh(db, key))).toHaveLength(600);
  });

  it('logs a failed background compaction and carries on', async () => {
    const { key } = await setup();
    const errors = vi.spyOn(console, 'error').mockImplementation(() => {});
    const broken = withTransactionHook(app().deps.db, () => {
      throw new Error('database went away');
    });
    const deps: AppDeps = { ...app().deps, db: broken };
    // The log must hold something to merge, or there is nothing to commit.
    await app()
      .deps.db.insertInto('segments')
      .values({ conversation_id: key.conversationId, segment: key.segment, last_seq: 1 })
      .onConflict((oc) => oc.doNothing())
      .execute();
    const doc = new Y.Doc();
    const update = Y.encodeStateAsUpdate(doc);
    await app()
      .deps.db.insertInto('segment_updates')
      .values({ conversation_id: key.conversationId, segment: key.segment, seq: 1, update, device_id: key.conversationId })
      .execute();
    scheduleCompaction(deps, key);
    scheduleCompaction(deps, key); // one at a time per segment: this one is a no-op
    await compactionsSettled(deps);
    expect(errors).toHaveBeenCalledTimes(1);
    expect(String(errors.mock.calls[0]?.[0])).toMatch(/Compaction of segment/);
    expect(await countUpdates(key)).toBe(1);
  });
});

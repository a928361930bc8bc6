import { listMessages } from '@mailboat/schema';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { connectPostgres } from '../src/db/connect.js';
import { freshPostgresUrl, type SseMessage, type SseReader } from './harness.js';
import { ApiProcess } from './http-client.js';
import { b64, EVENTS, type Pending, SyncDevice } from './sync-device.js';

/**
 * Two real API processes on one real Postgres, talking to clients over HTTP on 127.0.0.1:
 * events cross nodes exactly once (LISTEN/NOTIFY), revocations and membership changes take
 * effect on the other node at once, and killing a node mid-write loses nothing acknowledged.
 *
 * Real Postgres only: with PGlite the database lives inside one process, so two processes
 * cannot share it, and there is nothing to fan out between.
 */

/** Everything the stream delivers within `ms` (it should stay quiet once the expected events are in). */
async function drain(reader: SseReader, ms: number): Promise<SseMessage[]> {
  const out: SseMessage[] = [];
  const deadline = Date.now() + ms;
  for (;;) {
    const left = deadline - Date.now();
    if (left <= 0) return out;
    try {
      const m = await reader.next(left);
      out.push(m);
      if (m.event === 'end') return out;
    } catch {
      return out;
    }
  }
}

/** The next message satisfying `match` within `ms`; fails when the stream ends first. */
async function nextMatching(reader: SseReader, match: (m: SseMessage) => boolean, ms = 3000): Promise<SseMessage> {
  const deadline = Date.now() + ms;
  for (;;) {
    const m = await reader.next(Math.max(1, deadline - Date.now()));
    if (match(m)) return m;
    if (m.event === 'end') throw new Error('the event stream ended first');
  }
}

const segmentEvents = (messages: SseMessage[]) =>
  messages.map((m) => m.data?.data?.events).filter((e) => e?.__typename === 'SegmentUpdatedEvent');

describe('two API processes on one Postgres', () => {
  let a: ApiProcess | undefined;
  let b: ApiProcess | undefined;
  let databaseUrl = '';
  const nodeA = () => a as ApiProcess;
  const nodeB = () => b as ApiProcess;

  beforeAll(async () => {
    const url = await freshPostgresUrl();
    databaseUrl = url;
    // Both at once: they migrate the same database concurrently (kysely's migration lock).
    [a, b] = await Promise.all([ApiProcess.start('node-a', url), ApiProcess.start('node-b', url)]);
  }, 60_000);

  afterAll(async () => {
    await Promise.all([a?.stop(), b?.stop()]);
  });

  it('delivers a write pushed on B to a device subscribed on A, exactly once, large updates too', async () => {
    const A = nodeA().client;
    const B = nodeB().client;
    const { ana, bo, conversationId } = await A.directPair();
    const anaLaptop = await B.signIn(ana.handle, ana.password, 'Laptop');
    const onA = await A.subscribe(EVENTS, ana.accessToken);
    const onB = await B.subscribe(EVENTS, anaLaptop.accessToken); // a subscriber on the writing node too
    const writer = new SyncDevice(B, bo);

    try {
      const small = writer.send(conversationId, 'hello across nodes');
      const [smallUpdate] = writer.outbox as [Pending];
      expect((await writer.push()).map((r) => r.status)).toEqual(['ACCEPTED']);

      const large = writer.send(conversationId, 'x'.repeat(7000));
      const [largeUpdate] = writer.outbox as [Pending];
      expect(b64(largeUpdate.update).length).toBeGreaterThan(8000); // over NOTIFY's payload limit as it is
      expect((await writer.push()).map((r) => r.status)).toEqual(['ACCEPTED']);

      for (const [name, reader] of [
        ['on A', onA],
        ['on B', onB],
      ] as const) {
        const events = segmentEvents(await drain(reader, 1500));
        expect(events.length, `segment updates ${name}`).toBe(2); // each once: no duplicate fan-out
        expect(events[0].update === b64(smallUpdate.update), `the small update ${name}`).toBe(true);
        expect(events[1].update === b64(largeUpdate.update), `the large update ${name}`).toBe(true);
        const device = new SyncDevice(A, ana);
        for (const e of events) device.receive(e.conversationId, e.segment, e.update);
        expect(device.messages(conversationId, small.segment).map((m) => m.text)).toContain('hello across nodes');
        expect(device.messages(conversationId, large.segment).some((m) => m.text.length === 7000)).toBe(true);
      }
    } finally {
      onA.close();
      onB.close();
    }
  });

  it('applies a revocation or a removal made on B on A at once', async () => {
    const A = nodeA().client;
    const B = nodeB().client;
    const phone = await B.signUp('revoker');
    const laptop = await A.signIn(phone.handle, phone.password, 'Laptop');
    const laptopEvents = await A.subscribe(EVENTS, laptop.accessToken);
    const started = Date.now();
    await B.ok('mutation($id: ID!) { revokeDevice(id: $id) { id } }', { id: laptop.deviceId }, phone.accessToken);
    const ended = await nextMatching(laptopEvents, (m) => Boolean(m.data?.errors), 2000);
    expect(ended.data.errors[0].extensions.code).toBe('DEVICE_REVOKED');
    expect(Date.now() - started).toBeLessThan(2000);
    const read = await A.gql('{ viewer { user { id } } }', {}, { token: laptop.accessToken });
    expect(read.errors?.[0]?.extensions?.code).toBe('DEVICE_REVOKED');
    laptopEvents.close();

    const ana = await A.signUp('ana');
    const bo = await B.signUp('bo');
    const cy = await A.signUp('cy');
    const groupId = await B.createGroup(ana, [bo, cy], 'Across');
    const cyEvents = await A.subscribe(
      EVENTS.replace('__typename', '__typename ... on ConversationRemovedEvent { conversationId reason }'),
      cy.accessToken,
    );
    try {
      await B.ok(
        'mutation($id: ID!, $userId: ID!) { removeConversationMember(conversationId: $id, userId: $userId) { id } }',
        { id: groupId, userId: cy.userId },
        ana.accessToken,
      );
      const removed = await nextMatching(cyEvents, (m) => m.data?.data?.events?.__typename === 'ConversationRemovedEvent', 2000);
      expect(removed.data.data.events).toEqual({ __typename: 'ConversationRemovedEvent', conversationId: groupId, reason: 'REMOVED' });
      const denied = await A.gql('query($id: ID!) { node(id: $id) { id } }', { id: groupId }, { token: cy.accessToken });
      expect(denied.data?.node ?? null).toBeNull();
    } finally {
      cyEvents.close();
    }
  });

  it("ends a node's open streams with EVENTS_INTERRUPTED when its listener is lost, and hears the others again", async () => {
    const A = nodeA().client;
    const B = nodeB().client;
    const { ana, bo, conversationId } = await A.directPair();
    const before = await A.subscribe(EVENTS, ana.accessToken);
    const admin = connectPostgres(databaseUrl, 1);
    try {
      const killed = await sql<{ pid: number }>`
        select pg_terminate_backend(pid) as pid from pg_stat_activity
        where application_name = 'mailboat-fanout' and datname = current_database()`.execute(admin);
      expect(killed.rows.length).toBe(2); // one listener per node
    } finally {
      await admin.destroy();
    }
    const ended = await nextMatching(before, (m) => Boolean(m.data?.errors), 3000);
    expect(ended.data.errors[0].extensions.code).toBe('EVENTS_INTERRUPTED');

    // Clients reconnect; once the node listens again, writes on B reach A again.
    const writer = new SyncDevice(B, bo);
    let delivered = false;
    for (let attempt = 0; attempt < 20 && !delivered; attempt++) {
      const after = await A.subscribe(EVENTS, ana.accessToken);
      writer.send(conversationId, `after the loss ${attempt}`);
      await writer.push();
      const got = await drain(after, 1000);
      delivered = segmentEvents(got).length > 0;
      after.close();
    }
    expect(delivered).toBe(true);
  });

  it('loses nothing acknowledged when A is killed mid-write, and A serves the same state when it is back', async () => {
    const A = nodeA().client;
    const B = nodeB().client;
    const ana = await A.signUp('ana');
    const bo = await B.signUp('bo');
    const cy = await A.signUp('cy');
    const anaLaptop = await B.signIn(ana.handle, ana.password, 'Laptop');
    const conversationId = await A.createGroup(ana, [bo, cy], 'Crash');
    const sessions = [ana, anaLaptop, bo, cy];
    // Half the devices write through A (to be killed), half through B.
    const devices = sessions.map((s, i) => new SyncDevice(i % 2 === 0 ? A : B, s));

    const written = new Map<string, number>(); // message id -> segment
    const acknowledged = new Set<string>();
    const stats = { pushes: 0, failedPushes: 0, duplicates: 0 };
    let writing = true;

    /** Writes and pushes until told to stop; a failed push is retried (against B) with the same updates. */
    const writeLoop = async (device: SyncDevice, n: number) => {
      const creates = new Map<Pending, string>();
      for (let i = 0; i < 1000 && (writing || device.outbox.length > 0); i++) {
        if (writing) {
          const { id, segment } = device.send(conversationId, `device ${n} message ${i} ${'.'.repeat(i % 50)}`);
          written.set(id, segment);
          creates.set(device.outbox.at(-1) as Pending, id);
        }
        const batch = [...device.outbox];
        let results: any[];
        try {
          stats.pushes++;
          results = await device.push(batch);
        } catch {
          stats.failedPushes++; // no answer: it may or may not have committed; push it all again elsewhere
          device.client = B;
          continue;
        }
        device.outbox.splice(0, batch.length);
        results.forEach((r, k) => {
          if (r.status !== 'ACCEPTED' && r.status !== 'DUPLICATE') throw new Error(`refused: ${JSON.stringify(r)}`);
          if (r.status === 'DUPLICATE') stats.duplicates++;
          const id = creates.get(batch[k] as Pending);
          if (id) acknowledged.add(id);
        });
      }
    };

    const loops = devices.map((d, n) => writeLoop(d, n));
    await new Promise((resolve) => setTimeout(resolve, 1500));
    await nodeA().kill('SIGKILL'); // mid-write: two devices have pushes in flight on A
    await new Promise((resolve) => setTimeout(resolve, 1000));
    writing = false;
    await Promise.all(loops);

    console.info(`[scale-out] ${written.size} messages written, ${JSON.stringify(stats)}`);
    expect(stats.failedPushes).toBeGreaterThan(0); // the kill did interrupt writes
    expect([...written.keys()].filter((id) => !acknowledged.has(id))).toEqual([]); // every write was finally acknowledged

    const segments = [...new Set(written.values())].map((segment) => ({ conversationId, segment }));
    const fresh = new SyncDevice(B, cy);
    await fresh.pull(segments);
    for (const { segment } of segments) {
      const expected = fresh.doc(conversationId, segment);
      const ids = listMessages(expected).map((m) => m.id);
      expect(new Set(ids).size).toBe(ids.length); // each message once
      for (const d of devices) {
        d.client = B;
        await d.pull(segments);
        const doc = d.doc(conversationId, segment);
        expect(doc.store.pendingStructs).toBeNull();
        expect(Buffer.from(Y.encodeStateVector(doc))).toEqual(Buffer.from(Y.encodeStateVector(expected)));
        expect(listMessages(doc)).toEqual(listMessages(expected));
      }
    }
    const all = segments.flatMap(({ segment }) => listMessages(fresh.doc(conversationId, segment)).map((m) => m.id));
    expect(all.sort()).toEqual([...acknowledged].sort());

    await nodeA().restart();
    const freshOnA = new SyncDevice(A, bo);
    await freshOnA.pull(segments);
    for (const { segment } of segments) {
      expect(Buffer.from(Y.encodeStateVector(freshOnA.doc(conversationId, segment)))).toEqual(
        Buffer.from(Y.encodeStateVector(fresh.doc(conversationId, segment))),
      );
      expect(listMessages(freshOnA.doc(conversationId, segment))).toEqual(listMessages(fresh.doc(conversationId, segment)));
    }
  }, 60_000);
});

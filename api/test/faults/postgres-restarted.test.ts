import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectPostgres } from '../../src/db/connect.js';
import { createDatabase } from '../environment.js';
import type { SseReader } from '../harness.js';
import { ApiProcess } from '../http-client.js';
import { EVENTS, SyncDevice } from '../sync-device.js';
import { expectConverged, expectStoredOnce } from './checks.js';
import { type Cluster, startCluster } from './postgres-cluster.js';
import { crew, FAULT_ENV, faultSeed, TimedHttpClient, writersFor } from './setup.js';
import { totals, waitFor, whileWriting } from './writers.js';

/** Resolves with the stream's first GraphQL error code (or 'end' when it ends without one). */
async function endOf(stream: SseReader, timeoutMs: number): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const m = await stream.next(Math.max(1, deadline - Date.now()));
    if (m.event === 'end') return 'end';
    const code = m.data?.errors?.[0]?.extensions?.code;
    if (code) return code;
  }
}

/**
 * Fault 2: the Postgres server is restarted (first `-m fast`, then `-m immediate`, which makes
 * it recover from a crash) while two API processes serve devices writing continuously. The
 * API processes are not restarted: their pools reconnect, their LISTEN connections come back,
 * /ready answers 200 again, events cross nodes again, and the devices' failed pushes, pushed
 * again, leave every acknowledged write stored exactly once and every device converged.
 *
 * The cluster is the test's own, so the restarts disturb no other test.
 */
describe('Postgres restarted mid-flush (its own cluster, two real API processes)', () => {
  let cluster: Cluster | undefined;
  let nodes: ApiProcess[] = [];
  let url = '';

  beforeAll(async () => {
    cluster = await startCluster();
    url = await createDatabase(cluster.url, 'mailboat_faults');
    nodes = await Promise.all([ApiProcess.start('faults-pg-a', url, FAULT_ENV), ApiProcess.start('faults-pg-b', url, FAULT_ENV)]);
  }, 60_000);

  afterAll(async () => {
    await Promise.all(nodes.map((n) => n.stop()));
    cluster?.stop();
  });

  it('recovers without restarting the API; every acknowledged write is stored once and every device converges', async () => {
    const seed = faultSeed('postgres-restarted', 20261102);
    const clients = nodes.map((n) => new TimedHttpClient(n.client.base));
    const [onA, onB] = clients as [TimedHttpClient, TimedHttpClient];
    const group = await crew(onA, 3, 2, 2);
    const writers = writersFor(group, seed, (i) => clients[i % 2] as TimedHttpClient, { maxPerPush: 4, editChance: 0.1 });
    const acked = () => totals(writers).acknowledged;
    const ready = async (node: ApiProcess) => (await fetch(`${node.client.base}/ready`).catch(() => undefined))?.status === 200;
    const listener = group.sessions[0]!;
    let cut = 0;

    await whileWriting(writers, async () => {
      for (const mode of ['fast', 'immediate'] as const) {
        const stream = await onA.subscribe(EVENTS, listener.accessToken);
        const before = acked();
        await waitFor('writes to flow', () => acked() >= before + 25);
        await waitFor('pushes in flight', () => writers.some((w) => w.inFlight), 10_000, 1);
        cut += writers.filter((w) => w.inFlight).length;
        const failedBefore = totals(writers).failed;
        await (cluster as Cluster).restart(mode);

        // The open stream is told it may have missed events, rather than going quiet.
        const ending = await endOf(stream, 20_000);
        for (const node of nodes) expect(node.running, `${node.name} survived:\n${node.output.slice(-3000)}`).toBe(true);
        expect(ending).toBe('EVENTS_INTERRUPTED');
        stream.close();
        for (const node of nodes) {
          expect(node.running, `${node.name} survived:\n${node.output}`).toBe(true);
          await waitFor(`${node.name} ready after a ${mode} restart`, () => ready(node), 30_000, 100).catch((e: Error) => {
            throw new Error(`${e.message}; its output:\n${node.output.slice(-3000)}`);
          });
        }
        const after = acked();
        await waitFor(`writes to flow after a ${mode} restart`, () => acked() >= after + 25);
        console.info(`[faults] postgres-restarted (${mode}): ${totals(writers).failed - failedBefore} pushes failed and were retried`);
      }

      // LISTEN is back: a write through B (in a conversation of its own) reaches a stream opened on A.
      const writer = group.sessions[1]!;
      const { openDirectConversation: direct } = await onB.ok(
        'mutation($u: ID!) { openDirectConversation(userId: $u) { id } }',
        { u: listener.userId },
        writer.accessToken,
      );
      const stream = await onA.subscribe(EVENTS, listener.accessToken);
      try {
        const probe = new SyncDevice(onB, writer);
        probe.send(direct.id, 'across nodes after the restarts');
        expect((await probe.push()).map((r) => r.status)).toEqual(['ACCEPTED']);
        let crossed = false;
        await waitFor('an event from B on A', async () => {
          const e = (await stream.next(1000).catch(() => undefined))?.data?.data?.events;
          crossed ||= e?.__typename === 'SegmentUpdatedEvent' && e.conversationId === direct.id;
          return crossed;
        });
      } finally {
        stream.close();
      }
    });
    const stats = totals(writers);
    console.info(`[faults] postgres-restarted: ${cut} pushes in flight at the restarts; ${JSON.stringify(stats)}`);
    expect(stats.failed).toBeGreaterThan(0);
    expect(stats.acknowledged).toBe(stats.written);

    const fresh = new SyncDevice(onB, group.sessions[2]!);
    const onServer = await expectConverged({ fresh, devices: writers.map((w) => w.device), writers });
    const db = connectPostgres(url, 1); // opened after the restarts: its idle connections would be cut too
    try {
      await expectStoredOnce(db, fresh, writers, onServer);
    } finally {
      await db.destroy();
    }
  }, 90_000);
});

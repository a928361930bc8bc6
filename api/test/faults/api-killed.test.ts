import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectPostgres, type Db } from '../../src/db/connect.js';
import { freshPostgresUrl } from '../harness.js';
import { ApiProcess } from '../http-client.js';
import { SyncDevice } from '../sync-device.js';
import { expectConverged, expectStoredOnce } from './checks.js';
import { crew, FAULT_ENV, faultSeed, TimedHttpClient, writersFor } from './setup.js';
import { totals, waitFor, whileWriting } from './writers.js';

/**
 * Fault 1: the API process is killed with SIGKILL while devices are writing continuously and
 * several pushes are on the wire, twice, and restarted on the same port. The answers of those
 * pushes are lost; the devices push the same bytes again. Whatever had committed must come
 * back DUPLICATE (stored once), whatever had not must be ACCEPTED, every acknowledged write
 * must be there exactly once, and every device must end with the server's documents.
 */
describe('the API process killed with SIGKILL mid-flush (real Postgres, real process)', () => {
  let api: ApiProcess | undefined;
  let db: Db | undefined;

  beforeAll(async () => {
    const url = await freshPostgresUrl();
    db = connectPostgres(url, 2);
    api = await ApiProcess.start('faults-kill', url, FAULT_ENV);
  }, 60_000);

  afterAll(async () => {
    await api?.stop();
    await db?.destroy();
  });

  it('stores every acknowledged write exactly once and every device converges', async () => {
    const node = api as ApiProcess;
    const seed = faultSeed('api-killed', 20261101);
    const client = new TimedHttpClient(node.client.base);
    const group = await crew(client, 3, 2, 2);
    const writers = writersFor(group, seed, () => client, { maxPerPush: 4, editChance: 0.1 });
    const inFlight = () => writers.filter((w) => w.inFlight).length;
    const acked = () => totals(writers).acknowledged;
    let cut = 0;
    await whileWriting(writers, async () => {
      for (let kill = 1; kill <= 2; kill++) {
        const before = acked();
        await waitFor('writes to flow', () => acked() >= before + 25);
        await waitFor('several pushes in flight', () => inFlight() >= 3, 10_000, 1);
        cut += inFlight();
        await node.kill('SIGKILL');
        expect(node.running).toBe(false);
        await node.restart();
      }
      const before = acked();
      await waitFor('writes to flow after the last restart', () => acked() >= before + 25);
    });
    const stats = totals(writers);
    console.info(`[faults] api-killed: ${cut} pushes cut by the kills; ${JSON.stringify(stats)}`);
    expect(stats.failed).toBeGreaterThanOrEqual(cut);
    expect(stats.landedUnanswered + stats.lostUnanswered).toBeGreaterThan(0); // answers were lost, and retried
    expect(stats.acknowledged).toBe(stats.written); // the devices retried until everything was acknowledged

    const fresh = new SyncDevice(client, group.sessions[0]!);
    const onServer = await expectConverged({ fresh, devices: writers.map((w) => w.device), writers });
    await expectStoredOnce(db as Db, fresh, writers, onServer);
  }, 90_000);
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectPostgres, type Db } from '../../src/db/connect.js';
import { decodeGlobalId } from '../../src/global-ids.js';
import { freshPostgresUrl, type Session, startTestApp, type TestClient } from '../harness.js';
import { ApiProcess } from '../http-client.js';
import { SyncDevice } from '../sync-device.js';
import { expectConverged, expectStoredOnce } from './checks.js';
import { attacks, HOSTILE_LIMITS } from './hostile.js';
import { crew, FAULT_ENV, faultSeed, TimedHttpClient, writersFor } from './setup.js';
import { median, prng, sleep, totals, waitFor, whileWriting } from './writers.js';

const PUSHES_PER_PHASE = 40;
const ATTACKERS = 3;

/**
 * Fault 4: hostile input under load. Four honest devices write steadily; in alternate phases
 * of as many honest pushes, a hostile member floods the server with garbage updates, forged
 * updates, oversized bodies (declared and chunked) and queries too deep, too costly or with
 * too many aliases. Every hostile request gets its typed refusal and changes nothing; every
 * honest write is accepted (never refused, never failed) and converges. The honest median
 * push latency with and without the flood is printed (not asserted: timing lives in benchmarks).
 */
type Target = { client: TestClient; db: Db; close: () => Promise<void> };

/**
 * PGlite in this process (yoga.fetch), and real Postgres behind a real API process over HTTP
 * (there the server has a core of its own, so its latency is measured apart from the clients').
 */
const targets: [string, (env: Record<string, string>) => Promise<Target>][] = [
  [
    'pglite, in-process',
    async (env) => {
      const app = await startTestApp('pglite', env);
      return { client: app.client, db: app.deps.db, close: app.close };
    },
  ],
  [
    'postgres, API process',
    async (env) => {
      const url = await freshPostgresUrl();
      const api = await ApiProcess.start('faults-hostile', url, env);
      const db = connectPostgres(url, 2);
      return {
        client: new TimedHttpClient(api.client.base),
        db,
        close: async () => {
          await api.stop();
          await db.destroy();
        },
      };
    },
  ],
];

describe.each(targets)('hostile input under load on %s', (backend, start) => {
  let target: Target | undefined;
  beforeAll(async () => {
    target = await start({ ...FAULT_ENV, ...HOSTILE_LIMITS });
  }, 60_000);
  afterAll(async () => {
    await target?.close();
  });

  it('refuses every hostile request with its typed error while every honest write is accepted and converges', async () => {
    const { client, db } = target as Target;
    const seed = faultSeed(`hostile-input/${backend.split(',')[0]}`, 20261104);
    const group = await crew(client, 3, 2, 1);
    const [ana, bo, mallory, anaTablet, boTablet] = group.sessions as Session[] as [Session, Session, Session, Session, Session];
    const honest = { ...group, sessions: [ana, bo, anaTablet, boTablet] };
    const writers = writersFor(honest, seed, () => client, { maxPerPush: 3, pauseMs: 15, editChance: 0.1 });
    const pushes = () => writers.reduce((n, w) => n + w.latencies.length, 0);
    const conversationId = group.conversationIds[0] as string;
    const plan = attacks(mallory, ana, conversationId);
    const sent = new Map<string, number>(plan.map((a) => [a.name, 0]));
    const wrong: string[] = [];
    let attacking = false;

    /** Sends the attacks round-robin (from a seeded offset) until told to stop. */
    const attacker = async (n: number) => {
      const random = prng(seed + 1000 + n);
      for (let i = Math.floor(random() * plan.length); attacking; i++) {
        const attack = plan[i % plan.length]!;
        const problem = await attack.run(client, random).catch((e: Error) => `threw ${e.message}`);
        sent.set(attack.name, (sent.get(attack.name) ?? 0) + 1);
        if (problem) wrong.push(`${attack.name}: ${problem}`);
        await sleep(0);
      }
    };

    // Alternating phases (alone, attacked, alone, attacked) so a drift in the machine's load
    // (other processes) weighs on both sides alike.
    const calm: number[] = [];
    const stormy: number[] = [];
    await whileWriting(writers, async () => {
      await waitFor('warm-up pushes', () => pushes() >= 20);
      for (const attacked of [false, true, false, true]) {
        const from = writers.map((w) => w.latencies.length);
        const until = pushes() + PUSHES_PER_PHASE;
        attacking = attacked;
        const attackers = attacked ? Array.from({ length: ATTACKERS }, (_, n) => attacker(n)) : [];
        try {
          await waitFor(attacked ? 'honest pushes under attack' : 'honest pushes alone', () => pushes() >= until, 60_000);
        } finally {
          attacking = false;
          await Promise.all(attackers);
        }
        (attacked ? stormy : calm).push(...writers.flatMap((w, i) => w.latencies.slice(from[i])));
      }
    });

    const stats = totals(writers);
    const [p50calm, p50stormy] = [median(calm), median(stormy)];
    console.log(
      `[faults] hostile-input/${backend}: honest push p50 ${p50calm.toFixed(1)} ms alone, ${p50stormy.toFixed(1)} ms under hostile load ` +
        `(ratio ${(p50stormy / p50calm).toFixed(2)}; ${calm.length} and ${stormy.length} pushes); hostile requests ${JSON.stringify(Object.fromEntries(sent))}`,
    );
    expect(wrong.slice(0, 5)).toEqual([]);
    for (const [name, count] of sent) expect(count, name).toBeGreaterThan(0);
    expect(stats.failed).toBe(0); // honest pushes never failed
    expect(stats.acknowledged).toBe(stats.written);

    const fresh = new SyncDevice(client, bo);
    const onServer = await expectConverged({ fresh, devices: writers.map((w) => w.device), writers });
    await expectStoredOnce(db, fresh, writers, onServer);
    // Nothing of Mallory's was stored: no update from her device, no message in her name or forged by her.
    const hers = await db
      .selectFrom('segment_updates')
      .select('seq')
      .where('device_id', '=', decodeGlobalId(mallory.deviceId).id)
      .execute();
    expect(hers).toEqual([]);
  }, 90_000);
});

import { performance } from 'node:perf_hooks';
import { createDatabase, postgresServer, startApp } from '../test/environment.js';
import { TestClient } from '../test/harness.js';
import { benchEnv, knob } from './lib.js';
import { PUSH, Writer } from './workload.js';

/**
 * The server's own cost of a push, without sockets or a load generator competing for the CPU:
 * the app in-process (`yoga.fetch`) on a real Postgres, `CONCURRENCY` devices pushing
 * pre-encoded updates of `PER_PUSH` messages each as fast as they are acknowledged. Prints
 * messages/s of wall time and this process's CPU time per message (Postgres runs in its own
 * process and is not counted). Run with `npx tsx --cpu-prof bench/push-pipeline.ts` for a
 * profile, and give profile-summary.ts the window it prints (the pushes only, not the setup).
 * Usage: cd api && npx tsx bench/push-pipeline.ts   (PUSHES [400], PER_PUSH [100], CONCURRENCY [32])
 */

const pushes = knob('PUSHES', 400);
const perPush = knob('PER_PUSH', 100);
const concurrency = knob('CONCURRENCY', 32);

const postgres = await postgresServer(process.env.BENCH_DATABASE_URL);
const app = await startApp(benchEnv({ DATABASE_URL: await createDatabase(postgres.url, 'mailboat_push_pipeline') }));
const client = new TestClient(app);

try {
  const devices: { token: string; batches: unknown[][] }[] = [];
  for (let i = 0; i < concurrency; i += 2) {
    const { ana, bo, conversationId } = await client.directPair();
    for (const u of [ana, bo]) {
      const writer = new Writer(conversationId, u.userId);
      const batches = Array.from({ length: Math.ceil(pushes / concurrency) }, () => Array.from({ length: perPush }, () => writer.next()));
      devices.push({ token: u.accessToken, batches });
    }
  }
  const cpu = process.cpuUsage();
  const from = process.hrtime.bigint() / 1000n;
  const start = performance.now();
  let messages = 0;
  await Promise.all(
    devices.map(async (d) => {
      for (const updates of d.batches) {
        await client.ok(PUSH, { updates }, d.token);
        messages += updates.length;
      }
    }),
  );
  const seconds = (performance.now() - start) / 1000;
  const to = process.hrtime.bigint() / 1000n;
  const used = process.cpuUsage(cpu);
  const cpuSeconds = (used.user + used.system) / 1e6;
  console.log(
    `${devices.length} devices, ${perPush} per push: ${messages} messages in ${seconds.toFixed(2)} s = ${(messages / seconds).toFixed(0)}/s of wall time; ${((cpuSeconds * 1e6) / messages).toFixed(1)} µs of this process's CPU per message (${((cpuSeconds / seconds) * 100).toFixed(0)}% of a core); profile window --from=${from} --to=${to}`,
  );
} finally {
  await app.close();
  postgres.stop();
}
process.exit(0);

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { startPostgres } from '../../scripts/postgres.mjs';
import { createApp } from '../src/app.js';
import { loadConfig } from '../src/config.js';
import { connectPostgres } from '../src/db/connect.js';
import { createDatabase } from '../test/databases.js';
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

const knob = (name: string, fallback: number) => Number(process.env[name] ?? fallback);
const pushes = knob('PUSHES', 400);
const perPush = knob('PER_PUSH', 100);
const concurrency = knob('CONCURRENCY', 32);
const SIGN_UP = `mutation($input: SignUpInput!) { signUp(input: $input) { accessToken user { id } } }`;

const postgres = await startPostgres();
const dataDir = mkdtempSync(join(tmpdir(), 'mailboat-push-pipeline-'));
const config = loadConfig({
  NODE_ENV: 'production',
  DATA_DIR: dataDir,
  DATABASE_URL: await createDatabase(postgres.url, 'mailboat_push_pipeline'),
  TOKEN_SECRET: 'bench-secret-bench-secret-bench-secret-0',
  PASSWORD_HASH_COST: '10',
  AUTH_ATTEMPTS_PER_MINUTE: '1000000',
  WRITES_PER_MINUTE: '1000000',
});
const app = await createApp(config, connectPostgres(config.databaseUrl as string));
const post = async (body: unknown, token?: string) => {
  const res = await app.yoga.fetch('http://localhost/graphql', {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify(body),
  });
  const json = (await res.json()) as { data?: any; errors?: unknown[] };
  if (json.errors) throw new Error(JSON.stringify(json.errors));
  return json.data;
};

try {
  const signUp = async (i: number) => {
    const input = {
      handle: `pp${i}_${Math.random().toString(36).slice(2, 8)}`,
      password: 'correct horse battery',
      displayName: `pp${i}`,
      device: { name: 'bench', platform: 'bench', appVersion: '1' },
      refreshTokenDelivery: 'BODY',
    };
    const s = (await post({ query: SIGN_UP, variables: { input } })).signUp;
    return { token: s.accessToken as string, userId: s.user.id as string };
  };
  const devices: { token: string; batches: unknown[][] }[] = [];
  for (let i = 0; i < concurrency; i += 2) {
    const [a, b] = [await signUp(i), await signUp(i + 1)];
    const { openDirectConversation } = await post(
      { query: 'mutation($u: ID!) { openDirectConversation(userId: $u) { id } }', variables: { u: b.userId } },
      a.token,
    );
    for (const u of [a, b]) devices.push({ token: u.token, batches: [] });
    for (const [k, u] of [a, b].entries()) {
      const writer = new Writer(openDirectConversation.id, u.userId);
      const device = devices[devices.length - 2 + k] as (typeof devices)[number];
      for (let p = 0; p < Math.ceil(pushes / concurrency); p++) device.batches.push(Array.from({ length: perPush }, () => writer.next()));
    }
  }
  const cpu = process.cpuUsage();
  const from = process.hrtime.bigint() / 1000n;
  const start = performance.now();
  let messages = 0;
  await Promise.all(
    devices.map(async (d) => {
      for (const updates of d.batches) {
        await post({ query: PUSH, variables: { updates } }, d.token);
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
  rmSync(dataDir, { recursive: true, force: true });
}
process.exit(0);

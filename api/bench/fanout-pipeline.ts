import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { createApp } from '../src/app.js';
import { loadConfig } from '../src/config.js';
import { connectPGlite } from '../src/db/connect.js';
import { publishToUsers } from '../src/events/pubsub.js';
import { decodeGlobalId } from '../src/global-ids.js';

/**
 * The server's own cost of live fan-out, without sockets, Postgres round trips or a load
 * generator competing for the CPU: `STREAMS` SSE `events` streams opened in-process through
 * `yoga.fetch` (over PGlite), then `EVENTS` segment updates published straight into the
 * pubsub as fast as they go out. Prints deliveries per second of wall time and of this
 * process's CPU time (the figure to compare from one change to the next on a noisy machine).
 * Usage: cd api && npx tsx bench/fanout-pipeline.ts   (STREAMS [1000], USERS [10], EVENTS [200])
 */

const knob = (name: string, fallback: number) => Number(process.env[name] ?? fallback);
const streams = knob('STREAMS', 1000);
const users = knob('USERS', 10);
const events = knob('EVENTS', 200);
const QUERY = JSON.stringify({ query: 'subscription { events { ... on SegmentUpdatedEvent { conversationId segment update } } }' });
const SIGN_UP = `mutation($input: SignUpInput!) { signUp(input: $input) { accessToken user { id } } }`;

const dataDir = mkdtempSync(join(tmpdir(), 'mailboat-pipeline-'));
const env = {
  NODE_ENV: 'production',
  DATA_DIR: dataDir,
  TOKEN_SECRET: 'bench-secret-bench-secret-bench-secret-0',
  PASSWORD_HASH_COST: '10',
};
const app = await createApp(
  loadConfig({ ...env, AUTH_ATTEMPTS_PER_MINUTE: '1000000', WRITES_PER_MINUTE: '1000000' }),
  await connectPGlite(),
);
const post = (body: string, headers: Record<string, string> = {}, signal?: AbortSignal) =>
  app.yoga.fetch('http://localhost/graphql', { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body, signal });

try {
  const accounts: { token: string; userId: string }[] = [];
  for (let i = 0; i < users; i++) {
    const handle = `pipe_${randomBytes(4).toString('hex')}`;
    const device = { name: 'bench', platform: 'bench', appVersion: '1.0.0' };
    const input = { handle, password: 'correct horse battery', displayName: handle, device, refreshTokenDelivery: 'BODY' };
    const body = (await (await post(JSON.stringify({ query: SIGN_UP, variables: { input } }))).json()) as any;
    accounts.push({ token: body.data.signUp.accessToken, userId: decodeGlobalId(body.data.signUp.user.id).id });
  }
  let delivered = 0;
  const controller = new AbortController();
  for (let i = 0; i < streams; i++) {
    const account = accounts[i % users] as { token: string };
    const res = await post(QUERY, { accept: 'text/event-stream', authorization: `Bearer ${account.token}` }, controller.signal);
    const reader = (res.body as ReadableStream<Uint8Array>).getReader();
    void (async () => {
      const decoder = new TextDecoder();
      try {
        for (;;) {
          const { done, value } = await reader.read();
          if (done) return;
          delivered += decoder.decode(value).split('event: next').length - 1;
        }
      } catch {
        // aborted
      }
    })();
  }
  await new Promise((resolve) => setTimeout(resolve, 500));
  const update = new Uint8Array(randomBytes(255));
  const userIds = accounts.map((a) => a.userId);
  const cpu = process.cpuUsage();
  const start = performance.now();
  for (let seq = 0; seq < events; seq++) {
    const event = {
      kind: 'segmentUpdated',
      conversationId: '00000000-0000-7000-8000-000000000000',
      segment: 1,
      seq,
      update,
      originDeviceId: 'none',
    } as const;
    publishToUsers(app.deps.pubsub, userIds, event);
    if (seq % 10 === 9) await new Promise((resolve) => setImmediate(resolve));
  }
  const expected = events * streams;
  while (delivered < expected && performance.now() - start < 120_000) await new Promise((resolve) => setTimeout(resolve, 5));
  const seconds = (performance.now() - start) / 1000;
  const used = process.cpuUsage(cpu);
  const cpuSeconds = (used.user + used.system) / 1e6;
  console.log(
    `${streams} streams, ${events} events: ${delivered}/${expected} delivered in ${seconds.toFixed(2)} s = ${(delivered / seconds).toFixed(0)} deliveries/s of wall time, ${(delivered / cpuSeconds).toFixed(0)}/s of CPU time (${((cpuSeconds * 1e6) / delivered).toFixed(1)} µs each)`,
  );
  controller.abort();
} finally {
  await app.close();
  rmSync(dataDir, { recursive: true, force: true });
}
process.exit(0); // aborted SSE responses may leave keep-alive timers behind

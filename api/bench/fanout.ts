import { performance } from 'node:perf_hooks';
import { createMessage, segmentOf } from '@mailboat/schema';
import pg from 'pg';
import { v7 as uuidv7 } from 'uuid';
import * as Y from 'yjs';
import { connectPostgres } from '../src/db/connect.js';
import { PostgresFanout } from '../src/events/fanout/postgres-fanout.js';
import { type AccountEvent, createAppPubSub } from '../src/events/pubsub.js';
import { createDatabase, postgresServer } from '../test/environment.js';
import { gql, pct, sleep, startBenchApi } from './lib.js';
import { openDirect, PUSH, signUp, subscribe } from './workload.js';

const summary = (ms: number[]) => `p50 ${pct(ms, 50).toFixed(2)} ms, p99 ${pct(ms, 99).toFixed(2)} ms (n=${ms.length})`;
const until = async (done: () => boolean, timeoutMs: number) => {
  const deadline = Date.now() + timeoutMs;
  while (!done() && Date.now() < deadline) await sleep(1);
  if (!done()) throw new Error('timed out');
};

async function rawNotify(url: string) {
  const listener = new pg.Client({ connectionString: url });
  const sender = new pg.Client({ connectionString: url });
  await Promise.all([listener.connect(), sender.connect()]);
  await listener.query('listen bench');
  let received = 0;
  listener.on('notification', () => received++);
  const payload = 'x'.repeat(200);
  const n = 5000;
  let start = performance.now();
  for (let i = 0; i < n; i++) await sender.query("select pg_notify('bench', $1)", [`${payload}${i}`]);
  const sent = performance.now();
  await until(() => received >= n, 30_000);
  console.log(
    `raw pg_notify, 1 per statement: sent ${(n / ((sent - start) / 1000)).toFixed(0)}/s, all received ${(n / ((performance.now() - start) / 1000)).toFixed(0)}/s`,
  );
  received = 0;
  const m = 100_000;
  start = performance.now();
  for (let i = 0; i < m; i += 200) {
    const batch = Array.from({ length: 200 }, (_, k) => `${payload}${i + k}`);
    await sender.query("select pg_notify('bench', x) from unnest($1::text[]) as x", [batch]);
  }
  await until(() => received >= m, 60_000);
  console.log(`raw pg_notify, 200 per statement: ${(m / ((performance.now() - start) / 1000)).toFixed(0)}/s sent and received`);
  await Promise.all([listener.end(), sender.end()]);
}

async function fanoutLayer(url: string) {
  const nodes = await Promise.all(
    ['a', 'b'].map(async () => {
      const db = connectPostgres(url);
      const local = createAppPubSub();
      const fanout = await PostgresFanout.start({ url, db, local });
      return { db, local, fanout };
    }),
  );
  const [a, b] = nodes as [(typeof nodes)[0], (typeof nodes)[0]];
  const latencies: number[] = [];
  let received = 0;
  const subscription = a.local.subscribe('user', 'bench');
  void (async () => {
    for await (const event of subscription) {
      received++;
      if (event.kind === 'conversationUpdated') latencies.push(performance.now() - Number(event.conversationId));
    }
  })();
  const event = (): AccountEvent => ({ kind: 'conversationUpdated', conversationId: String(performance.now()) });
  for (let i = 0; i < 2000; i++) {
    b.fanout.forward('user', 'bench', event());
    await sleep(1);
  }
  await until(() => received >= 2000, 10_000);
  console.log(`fanout B -> A, paced (~1 event per ms): ${summary(latencies)}`);
  latencies.length = 0;
  received = 0;
  const n = 50_000;
  const start = performance.now();
  for (let i = 0; i < n; i += 500) {
    for (let k = 0; k < 500; k++) b.fanout.forward('user', 'bench', event());
    await new Promise((resolve) => setImmediate(resolve));
  }
  await until(() => received >= n, 60_000);
  console.log(
    `fanout B -> A, burst of ${n}: ${(n / ((performance.now() - start) / 1000)).toFixed(0)} events/s; latency under the burst ${summary(latencies)}`,
  );
  await subscription.return?.();
  for (const node of nodes) {
    await node.fanout.close();
    await node.db.destroy();
  }
}

async function endToEnd(url: string) {
  const [a, b] = [await startBenchApi(url, 'bench-a'), await startBenchApi(url, 'bench-b')];
  try {
    const ana = await signUp(a.client.base, 'bench');
    const bo = await signUp(a.client.base, 'bench');
    const conversationId = await openDirect(a.client.base, ana, bo);
    const waiting = new Map<string, () => void>();
    const stream = await subscribe(a.client.base, ana, (update) => waiting.get(update)?.());
    await sleep(100);
    const doc = new Y.Doc();
    let outgoing: Uint8Array | undefined;
    doc.on('update', (u: Uint8Array) => {
      outgoing = u;
    });
    const run = async (label: string, base: string, n: number, text: () => string) => {
      const ms: number[] = [];
      const afterAnswer: number[] = [];
      for (let i = 0; i < n; i++) {
        const createdAt = Date.now();
        createMessage(doc, { id: uuidv7(), author: bo.userId, createdAt, text: text() }, 'local');
        const update = Buffer.from(outgoing as Uint8Array).toString('base64');
        const arrived = new Promise<void>((resolve, reject) => {
          const timer = setTimeout(() => reject(new Error(`${label}: no event within 5 s`)), 5000);
          waiting.set(update, () => {
            clearTimeout(timer);
            resolve();
          });
        });
        const start = performance.now();
        await gql(base, PUSH, { updates: [{ conversationId, segment: segmentOf(createdAt), update }] }, bo.token);
        const answered = performance.now();
        await arrived;
        ms.push(performance.now() - start);
        afterAnswer.push(performance.now() - answered);
        waiting.delete(update);
      }
      console.log(`end to end, ${label}: push start -> event ${summary(ms)}; push answer -> event ${summary(afterAnswer)}`);
    };
    await run('warm-up', b.client.base, 50, () => 'warm-up');
    await run('push on A, subscriber on A (same node)', a.client.base, 300, () => 'hello');
    await run('push on B, subscriber on A (cross-node)', b.client.base, 300, () => 'hello');
    await run('push on B, subscriber on A, 7,000-character messages (by reference)', b.client.base, 100, () => 'x'.repeat(7000));
    await run('push on A, subscriber on A, 7,000-character messages', a.client.base, 100, () => 'x'.repeat(7000));
    stream.abort();
  } finally {
    await Promise.all([a.stop(), b.stop()]);
  }
}

const server = await postgresServer(process.env.BENCH_DATABASE_URL);
try {
  await rawNotify(await createDatabase(server.url, 'mailboat_bench'));
  const url = await createDatabase(server.url, 'mailboat_bench');
  // Migrate once through a first API process (end to end), then reuse the schema for the fanout layer.
  await endToEnd(url);
  await fanoutLayer(url);
} finally {
  server.stop();
}

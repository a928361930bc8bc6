import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { connectPostgres } from '../src/db/connect.js';
import { createDatabase, postgresServer } from '../test/environment.js';
import { fanout } from './fanout-latency.js';
import { catchUp, compactionRate, longConversation } from './history.js';
import { knob, startBenchApi } from './lib.js';
import { memoryUnderLoad } from './memory.js';
import { writeThroughput } from './push.js';
import { type Figure, printTable } from './report.js';
import { openDirect, signUp } from './workload.js';

/**
 * `npm run bench`: a real Postgres (a throwaway cluster, or BENCH_DATABASE_URL) and the real
 * API process, a reproducible workload, a JSON file in bench-results/ and a summary table.
 * Every knob is an environment variable (see docs/performance.md).
 */

const only = process.env.BENCH_ONLY?.split(',');
const runs = (phase: string) => !only || only.includes(phase);
const seconds = knob('BENCH_SECONDS', 5);

const results: Record<string, unknown> = {};
const figures: Figure[] = [];
const errors: Record<string, string> = {};

async function phase(name: string, fn: () => Promise<void>) {
  if (!runs(name)) return;
  const start = Date.now();
  process.stderr.write(`bench: ${name}...`);
  try {
    await fn();
    process.stderr.write(` ${((Date.now() - start) / 1000).toFixed(0)} s\n`);
  } catch (e) {
    errors[name] = e instanceof Error ? (e.stack ?? e.message) : String(e);
    process.stderr.write(` failed: ${errors[name]}\n`);
  }
}

const server = await postgresServer(process.env.BENCH_DATABASE_URL);
const url = await createDatabase(server.url, 'mailboat_bench');
const api = await startBenchApi(url);
const base = api.client.base;
/** The bench's own connection to the API's database, for what it sets up or measures behind the API. */
const db = connectPostgres(url, 2);
const startedAt = new Date();
try {
  let sustained = 0;
  await phase('write', async () => {
    const w = await writeThroughput(base, url, { seconds, concurrency: knob('BENCH_CONCURRENCY', 32) });
    results.write = w;
    sustained = w.single.perSecond;
    figures.push(
      { what: 'Postgres single-row INSERT (1 connection)', value: w.raw.single, unit: '/s' },
      { what: 'Postgres 100-row INSERT (1 connection)', value: w.raw.multi, unit: 'rows/s' },
      { what: 'trivial yoga mutation over HTTP', value: w.trivial.perSecond, unit: '/s' },
      {
        what: '(a) messages, one per push',
        value: w.single.perSecond,
        unit: '/s',
        limit: { name: 'trivial mutation', value: w.trivial.perSecond },
        target: { ratio: 0.75 },
        note: `p50 ${w.single.p50.toFixed(0)} ms, p99 ${w.single.p99.toFixed(0)} ms`,
      },
      {
        what: '(b) messages, 100 per push',
        value: w.batched.perSecond,
        unit: '/s',
        limit: { name: '100-row INSERT', value: w.raw.multi },
        target: { ratio: 0.4, absolute: 20_000 },
        note: `p50 ${w.batched.p50.toFixed(0)} ms per push`,
      },
    );
  });
  for (const n of (process.env.BENCH_FANOUT_SUBSCRIBERS ?? '100,1000').split(',').map(Number)) {
    await phase(`fanout${n}`, async () => {
      const half = Math.max(1, (sustained || 100) / 2);
      const rate = Math.min(half, knob('BENCH_FANOUT_MAX_DELIVERIES', 50_000) / n);
      const f = await fanout(base, { subscribers: n, users: Math.min(n, 10), rate, seconds });
      results[`fanout${n}`] = { ...f, halfSustained: half };
      if (process.env.BENCH_PROFILE) process.stderr.write(` (profile window: --from=${f.profileWindow.from} --to=${f.profileWindow.to})`);
      figures.push({
        what: `fan-out to ${n} streams at ${f.pushesPerSecond.toFixed(0)} msg/s: push sent -> arrival`,
        value: f.fromSend.p99,
        unit: 'ms p99',
        lowerIsBetter: true,
        target: { absolute: 50 },
        note: `p50 ${f.fromSend.p50.toFixed(1)} ms; from ack: p50 ${f.fromAnswer.p50.toFixed(1)}, p99 ${f.fromAnswer.p99.toFixed(1)} ms; ${f.deliveries}/${f.expected} delivered`,
      });
      figures.push({
        what: `fan-out to ${n} streams: deliveries`,
        value: f.deliveriesPerSecond,
        unit: '/s',
        target: { absolute: n >= 1000 ? 50_000 : undefined },
        note:
          rate < half ? `rate capped by BENCH_FANOUT_MAX_DELIVERIES (half sustained: ${half.toFixed(0)}/s)` : 'at half the sustained rate',
      });
    });
  }
  await phase('catchup', async () => {
    const c = await catchUp(base, {
      conversations: knob('BENCH_CATCHUP_CONVERSATIONS', 100),
      messages: knob('BENCH_CATCHUP_MESSAGES', 10_000),
    });
    results.catchup = c;
    figures.push(
      {
        what: `catch-up: ${c.messages} messages in ${knob('BENCH_CATCHUP_CONVERSATIONS', 100)} conversations`,
        value: c.seconds * 1000,
        unit: 'ms',
        lowerIsBetter: true,
        target: { absolute: 2000 },
      },
      {
        what: 'catch-up: bytes on the wire per message (gzip)',
        value: c.bytesPerMessage,
        unit: 'B',
        lowerIsBetter: true,
        limit: { name: 'raw text bytes', value: c.rawTextBytes },
        target: { ratio: 2 },
        note: `${c.uncompressedBytesPerMessage.toFixed(0)} B uncompressed`,
      },
    );
  });
  await phase('long', async () => {
    const l = await longConversation(base, db, {
      messages: knob('BENCH_LONG_MESSAGES', 100_000),
      perSegment: knob('BENCH_LONG_PER_SEGMENT', 1000),
      rounds: knob('BENCH_LONG_ROUNDS', 30),
    });
    results.long = l;
    figures.push(
      { what: `history built by batched pushes`, value: l.messagesPerSecondBuilt, unit: 'msg/s' },
      {
        what: `100 missing of ${l.late.history} messages: segmentDiffs`,
        value: l.missing100.p99,
        unit: 'ms p99',
        lowerIsBetter: true,
        target: { absolute: 50 },
        note: `p50 ${l.missing100.p50.toFixed(1)} ms (client-measured, localhost)`,
      },
      {
        what: `new device, ${l.late.history} messages: newest segment`,
        value: l.late.seconds * 1000,
        unit: 'ms',
        lowerIsBetter: true,
        target: { absolute: 1000 },
        note: `${l.late.messages} messages`,
      },
      {
        what: `new device: bytes at ${l.late.history} vs ${l.early.history} messages of history`,
        value: l.late.bytes,
        unit: 'B',
        lowerIsBetter: true,
        limit: { name: `at ${l.early.history}`, value: l.early.bytes },
        target: { ratio: 1.05 },
        note: `gzip; ${l.late.uncompressedBytes} B uncompressed`,
      },
    );
  });
  await phase('memory', async () => {
    const m = await memoryUnderLoad(api, db, {
      conversations: knob('BENCH_MEMORY_CONVERSATIONS', 50),
      history: knob('BENCH_MEMORY_HISTORY', 2000),
      seconds,
    });
    results.memory = m;
    figures.push(
      {
        what: `API memory (RSS) under write load, ${m.conversations} conversations with ${m.history} messages of history each`,
        value: m.long.rss / 2 ** 20,
        unit: 'MB',
        lowerIsBetter: true,
        limit: { name: 'same, no history', value: m.short.rss / 2 ** 20 },
        note: 'the segment cache may hold up to SEGMENT_CACHE_MB (256) of history',
      },
      {
        what: `API memory (RSS) under write load, history doubled to ${2 * m.history} messages each`,
        value: m.longer.rss / 2 ** 20,
        unit: 'MB',
        lowerIsBetter: true,
        limit: { name: `with ${m.history}`, value: m.long.rss / 2 ** 20 },
        target: { ratio: 1.1 },
      },
    );
  });
  await phase('compaction', async () => {
    const [a, b] = [await signUp(base, 'k'), await signUp(base, 'k')];
    const c = await compactionRate(db, await openDirect(base, a, b), knob('BENCH_COMPACTION_UPDATES', 20_000));
    results.compaction = c;
    figures.push(
      {
        what: `compaction of ${c.merged} one-message updates, cold (document built from the log)`,
        value: c.updatesPerSecond,
        unit: 'updates/s',
        target: { absolute: 20_000 },
      },
      {
        what: `compaction of ${c.hot.merged} more, hot (the segment's document cached, as after pushes)`,
        value: c.hot.updatesPerSecond,
        unit: 'updates/s',
        target: { absolute: 20_000 },
      },
    );
  });
} finally {
  await db.destroy();
  await api.stop(10_000);
  server.stop();
}

const report = {
  startedAt: startedAt.toISOString(),
  machine: { cpus: cpus().length, cpu: cpus()[0]?.model, loadavg: loadavg(), node: process.version },
  knobs: Object.fromEntries(Object.entries(process.env).filter(([k]) => k.startsWith('BENCH_'))),
  figures,
  results,
  errors,
};
const folder = process.env.BENCH_OUT ?? join(import.meta.dirname, '..', '..', 'bench-results');
mkdirSync(folder, { recursive: true });
const file = join(folder, `${startedAt.toISOString().replaceAll(':', '-')}.json`);
writeFileSync(file, JSON.stringify(report, null, 2));
printTable(figures);
console.log(
  `\nload average ${loadavg()
    .map((l) => l.toFixed(1))
    .join(' ')} on ${cpus().length} cores; full results: ${file}`,
);
if (Object.keys(errors).length > 0) {
  console.log(`failed phases: ${Object.keys(errors).join(', ')}`);
  process.exitCode = 1;
}

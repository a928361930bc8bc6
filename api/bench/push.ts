import { randomBytes } from 'node:crypto';
import { rmSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { createMessage, segmentOf } from '@mailboat/schema';
import { sql } from 'kysely';
import { v7 as uuidv7 } from 'uuid';
import * as Y from 'yjs';
import { startPostgres } from '../../scripts/postgres.mjs';
import { connectPostgres } from '../src/db/connect.js';
import { createDatabase } from '../test/databases.js';
import { gql, pct, startApi } from './lib.js';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 8);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 32);
const TEXT = 'x'.repeat(180);

const PUSH = `mutation($updates: [SegmentUpdateInput!]!) { pushUpdates(updates: $updates) { results { status } } }`;

/** Runs `workers` loops of `op` for SECONDS; returns operations/s and latencies. */
async function load(workers: number, op: (worker: number) => Promise<number>) {
  const latencies: number[] = [];
  let units = 0;
  const end = performance.now() + SECONDS * 1000;
  const start = performance.now();
  await Promise.all(
    Array.from({ length: workers }, async (_, w) => {
      while (performance.now() < end) {
        const t = performance.now();
        const done = await op(w); // (`units += await …` would read units before the await and lose counts)
        units += done;
        latencies.push(performance.now() - t);
      }
    }),
  );
  return { perSecond: units / ((performance.now() - start) / 1000), p50: pct(latencies, 50), p99: pct(latencies, 99) };
}

async function rawInserts(url: string) {
  const db = connectPostgres(url, 1);
  await sql`create table bench_rows (id uuid primary key, conversation_id uuid not null, body text not null)`.execute(db);
  const conversation = uuidv7();
  let n = 0;
  let start = performance.now();
  while (performance.now() - start < 3000) {
    await db.transaction().execute((trx) => sql`insert into bench_rows values (${uuidv7()}, ${conversation}, ${TEXT})`.execute(trx));
    n++;
  }
  const single = n / ((performance.now() - start) / 1000);
  n = 0;
  start = performance.now();
  while (performance.now() - start < 3000) {
    const rows = Array.from({ length: 100 }, () => sql`(${uuidv7()}, ${conversation}, ${TEXT})`);
    await sql`insert into bench_rows values ${sql.join(rows)}`.execute(db);
    n += 100;
  }
  const multi = n / ((performance.now() - start) / 1000);
  await db.destroy();
  return { single, multi };
}

async function main() {
  const server = process.env.BENCH_DATABASE_URL ? undefined : await startPostgres();
  const url = await createDatabase(process.env.BENCH_DATABASE_URL ?? (server?.url as string), 'mailboat_bench');
  const api = await startApi(url).catch((e: unknown) => {
    server?.stop();
    throw e;
  });
  try {
    const raw = await rawInserts(url);
    const trivial = await load(CONCURRENCY, async () => {
      await gql(api.base, '{ __typename }');
      return 1;
    });
    // Writers: pairs of users, each pair with a direct conversation; each worker is one device.
    const devices: { token: string; userId: string; conversationId: string; doc: Y.Doc; segment: number }[] = [];
    for (let i = 0; i < CONCURRENCY; i += 2) {
      const up = (h: string) =>
        gql(api.base, `mutation($i: SignUpInput!) { signUp(input: $i) { accessToken user { id } } }`, {
          i: {
            handle: h,
            password: 'bench password',
            displayName: h,
            device: { name: 'bench', platform: 'bench', appVersion: '1' },
            refreshTokenDelivery: 'BODY',
          },
        });
      const a = (await up(`w${i}_${randomBytes(3).toString('hex')}`)).signUp;
      const b = (await up(`w${i + 1}_${randomBytes(3).toString('hex')}`)).signUp;
      const c = (await gql(api.base, 'mutation($u: ID!) { openDirectConversation(userId: $u) { id } }', { u: b.user.id }, a.accessToken))
        .openDirectConversation.id;
      const segment = segmentOf(Date.now());
      for (const s of [a, b]) devices.push({ token: s.accessToken, userId: s.user.id, conversationId: c, doc: new Y.Doc(), segment });
    }
    const nextUpdate = (d: (typeof devices)[number]) => {
      const sv = Y.encodeStateVector(d.doc);
      const createdAt = Date.now();
      createMessage(d.doc, { id: uuidv7(), author: d.userId, createdAt, text: TEXT });
      return {
        conversationId: d.conversationId,
        segment: segmentOf(createdAt),
        update: Buffer.from(Y.encodeStateAsUpdate(d.doc, sv)).toString('base64'),
      };
    };
    const single = await load(CONCURRENCY, async (w) => {
      const d = devices[w]!;
      await gql(api.base, PUSH, { updates: [nextUpdate(d)] }, d.token);
      return 1;
    });
    const batched = await load(CONCURRENCY, async (w) => {
      const d = devices[w]!;
      await gql(api.base, PUSH, { updates: Array.from({ length: 100 }, () => nextUpdate(d)) }, d.token);
      return 100;
    });
    const row = (what: string, value: number, limitName: string, limit: number, extra = '') =>
      console.log(`| ${what} | ${value.toFixed(0)}/s | ${limitName} ${limit.toFixed(0)}/s | ${(value / limit).toFixed(2)}x | ${extra} |`);
    console.log(`\nOne API node, Postgres 15 (fsync on), ${CONCURRENCY} concurrent clients, ${SECONDS} s each, 180-character messages\n`);
    console.log('| what | measured | limit in the same run | ratio | latency |');
    console.log('|---|---|---|---|---|');
    row(
      'trivial GraphQL query `{ __typename }`',
      trivial.perSecond,
      'itself',
      trivial.perSecond,
      `p50 ${trivial.p50.toFixed(1)} ms, p99 ${trivial.p99.toFixed(1)} ms`,
    );
    row(
      'messages, one per push (committed, acknowledged)',
      single.perSecond,
      'trivial query',
      trivial.perSecond,
      `p50 ${single.p50.toFixed(1)} ms, p99 ${single.p99.toFixed(1)} ms`,
    );
    row('messages, one per push', single.perSecond, 'single-row INSERT transactions', raw.single);
    row(
      'messages, 100 per push',
      batched.perSecond,
      '100-row multi-row INSERT',
      raw.multi,
      `p50 ${batched.p50.toFixed(1)} ms, p99 ${batched.p99.toFixed(1)} ms per push`,
    );
  } finally {
    api.child.kill('SIGTERM');
    rmSync(api.dataDir, { recursive: true, force: true });
    server?.stop();
  }
}

await main();

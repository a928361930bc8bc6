import { performance } from 'node:perf_hooks';
import { sql } from 'kysely';
import { v7 as uuidv7 } from 'uuid';
import { connectPostgres } from '../src/db/connect.js';
import { gql, load } from './lib.js';
import { messageText, openDirect, PUSH, signUp, Writer } from './workload.js';

/**
 * Write throughput: committed-and-acknowledged messages/s, one message per push and 100 per
 * push, from `concurrency` simulated devices (pairs of users, one direct conversation per
 * pair), beside the same run's limits: a trivial graphql-yoga mutation's rate over HTTP and
 * raw Postgres INSERT rates for the same rows (single-row transactions and 100-row INSERTs).
 */
export async function writeThroughput(base: string, databaseUrl: string, o: { seconds: number; concurrency: number }) {
  const raw = await rawInserts(databaseUrl, o.seconds);
  const trivial = await load(o.seconds, o.concurrency, async () => {
    await gql(base, 'mutation { __typename }');
    return 1;
  });
  const devices: { token: string; writer: Writer }[] = [];
  for (let i = 0; i < o.concurrency; i += 2) {
    const [a, b] = [await signUp(base, 'w'), await signUp(base, 'w')];
    const conversationId = await openDirect(base, a, b);
    for (const u of [a, b]) devices.push({ token: u.token, writer: new Writer(conversationId, u.userId) });
  }
  const push = (w: number, n: number) => {
    const d = devices[w % devices.length] as (typeof devices)[number];
    return gql(base, PUSH, { updates: Array.from({ length: n }, () => d.writer.next()) }, d.token);
  };
  const single = await load(o.seconds, o.concurrency, async (w) => {
    await push(w, 1);
    return 1;
  });
  const batched = await load(o.seconds, o.concurrency, async (w) => {
    await push(w, 100);
    return 100;
  });
  return { raw, trivial, single, batched };
}

/** Raw Postgres on one connection: single-row INSERT transactions/s and rows/s with 100-row multi-row INSERTs. */
async function rawInserts(url: string, seconds: number) {
  const db = connectPostgres(url, 1);
  await sql`create table if not exists bench_rows (id uuid primary key, conversation_id uuid not null, body text not null)`.execute(db);
  const conversation = uuidv7();
  const run = async (rowsPerStatement: number) => {
    let n = 0;
    const start = performance.now();
    while (performance.now() - start < (seconds * 1000) / 2) {
      const rows = Array.from({ length: rowsPerStatement }, () => sql`(${uuidv7()}, ${conversation}, ${messageText()})`);
      await sql`insert into bench_rows values ${sql.join(rows)}`.execute(db);
      n += rowsPerStatement;
    }
    return n / ((performance.now() - start) / 1000);
  };
  const single = await run(1); // autocommit: one transaction per row
  const multi = await run(100);
  await sql`drop table bench_rows`.execute(db);
  await db.destroy();
  return { single, multi };
}

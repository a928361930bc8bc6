import { randomBytes } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { connectPGlite } from '../src/db/connect.js';
import { publishToUsers } from '../src/events/pubsub.js';
import { decodeGlobalId } from '../src/global-ids.js';
import { startApp } from '../test/environment.js';
import { TestClient } from '../test/harness.js';
import { benchEnv, knob } from './lib.js';
import { devicesPerUser, streamSlots } from './stream-slots.js';

/**
 * The server's own cost of live fan-out, without sockets, Postgres round trips or a load
 * generator competing for the CPU: `STREAMS` SSE `events` streams opened in-process through
 * `yoga.fetch` (over PGlite), then `EVENTS` segment updates published straight into the
 * pubsub as fast as they go out. Prints deliveries per second of wall time and of this
 * process's CPU time (the figure to compare from one change to the next on a noisy machine).
 * Usage: cd api && npx tsx bench/fanout-pipeline.ts   (STREAMS [1000], USERS [10, more when the streams need them], EVENTS [200])
 */

const streams = knob('STREAMS', 1000);
const users = knob('USERS', 10);
const events = knob('EVENTS', 200);
const QUERY = JSON.stringify({ query: 'subscription { events { ... on SegmentUpdatedEvent { conversationId segment update } } }' });

const app = await startApp(benchEnv(), await connectPGlite());
const post = (body: string, headers: Record<string, string> = {}, signal?: AbortSignal) =>
  app.yoga.fetch('http://localhost/graphql', { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body, signal });

try {
  // Streams within the API's stream caps: enough users, and a device per few streams of each.
  const { users: userCount, slots } = streamSlots(streams, users);
  const accounts: { tokens: string[]; userId: string }[] = [];
  const client = new TestClient(app);
  for (const [i, devices] of devicesPerUser(userCount, slots).entries()) {
    const session = await client.signUp('pipe');
    const others = await Promise.all(
      Array.from({ length: devices - 1 }, (_, d) => client.signIn(session.handle, session.password, `device ${i}.${d + 1}`)),
    );
    accounts.push({ tokens: [session.accessToken, ...others.map((o) => o.accessToken)], userId: decodeGlobalId(session.userId).id });
  }
  let delivered = 0;
  const controller = new AbortController();
  for (const { user, device } of slots) {
    const token = accounts[user]?.tokens[device] as string;
    const res = await post(QUERY, { accept: 'text/event-stream', authorization: `Bearer ${token}` }, controller.signal);
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
}
process.exit(0); // aborted SSE responses may leave keep-alive timers behind

import { performance } from 'node:perf_hooks';
import { gql, pct, sleep } from './lib.js';
import { devicesPerUser, streamSlots } from './stream-slots.js';
import { createGroup, PUSH, signIn, signUp, subscribe, type User, Writer } from './workload.js';

/** Now, in microseconds of the monotonic clock V8 CPU profiles use (see profile-summary.ts). */
const monotonicUs = () => Number(process.hrtime.bigint() / 1000n);

/**
 * Fan-out: `subscribers` event streams (spread over at least `users` members of one group,
 * several streams per member on several devices, within the API's stream caps) while writers push one message per push to the
 * group at `rate` pushes/s for `seconds`. Latency from a push to each arrival, measured two
 * ways around the commit: from sending the push (an upper bound: it includes the push's own
 * authorization and commit) and from its acknowledgement (a lower bound: events are published
 * just before the answer leaves).
 */
export async function fanout(base: string, o: { subscribers: number; users: number; rate: number; seconds: number }) {
  const { users, slots } = streamSlots(o.subscribers, o.users);
  const members = await Promise.all(Array.from({ length: users }, () => signUp(base, 'f')));
  // Each member's first device is the one it signed up on; the others sign in.
  const tokens = await Promise.all(
    devicesPerUser(users, slots).map(async (devices, m) => {
      const member = members[m] as User;
      return [member.token, ...(await Promise.all(Array.from({ length: devices - 1 }, () => signIn(base, member))))];
    }),
  );
  const author = await signUp(base, 'fw');
  const conversationId = await createGroup(base, author, members);
  const sent = new Map<string, { at: number; answered: number }>();
  const fromSend: number[] = [];
  const fromAnswer: number[] = [];
  const arrivals: { update: string; at: number }[] = [];
  const streams: AbortController[] = [];
  for (const { user, device } of slots) {
    const holder = { ...(members[user] as User), token: tokens[user]?.[device] as string };
    streams.push(await subscribe(base, holder, (update, at) => arrivals.push({ update, at })));
  }
  await sleep(500);
  const writers = Array.from({ length: 16 }, () => ({ writer: new Writer(conversationId, author.userId), busy: false }));
  let pushed = 0;
  let skipped = 0;
  const start = performance.now();
  const windowFrom = monotonicUs();
  const inflight: Promise<void>[] = [];
  for (let tick = 0; performance.now() - start < o.seconds * 1000; tick++) {
    const due = start + (tick * 1000) / o.rate;
    if (due > performance.now()) await sleep(due - performance.now());
    const free = writers.find((w) => !w.busy);
    if (!free) {
      skipped++;
      continue;
    }
    free.busy = true;
    const update = free.writer.next();
    const at = performance.now();
    inflight.push(
      gql(base, PUSH, { updates: [update] }, author.token).then(() => {
        sent.set(update.update, { at, answered: performance.now() });
        free.busy = false;
        pushed++;
      }),
    );
  }
  await Promise.all(inflight);
  const expected = pushed * o.subscribers;
  const deadline = performance.now() + 15_000;
  while (arrivals.length < expected && performance.now() < deadline) await sleep(20);
  const windowTo = monotonicUs();
  for (const s of streams) s.abort();
  for (const a of arrivals) {
    const s = sent.get(a.update);
    if (!s) continue;
    fromSend.push(a.at - s.at);
    fromAnswer.push(a.at - s.answered);
  }
  const last = arrivals.reduce((m, a) => Math.max(m, a.at), start);
  return {
    subscribers: o.subscribers,
    pushesPerSecond: pushed / o.seconds,
    skipped,
    deliveries: arrivals.length,
    expected,
    deliveriesPerSecond: arrivals.length / ((last - start) / 1000),
    fromSend: { p50: pct(fromSend, 50), p99: pct(fromSend, 99) },
    fromAnswer: { p50: pct(fromAnswer, 50), p99: pct(fromAnswer, 99) },
    /** From the first push to the last arrival (or the wait's end), for `profile-summary.ts --from --to`. */
    profileWindow: { from: windowFrom, to: windowTo },
  };
}

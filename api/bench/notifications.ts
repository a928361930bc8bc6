import { performance } from 'node:perf_hooks';
import { sql } from 'kysely';
import webpush from 'web-push';
import { decodeGlobalId } from '../src/global-ids.js';
import { createDatabase, postgresServer, type RunningApp, startApp, testEnv } from '../test/environment.js';
import { startPushService } from '../test/push-service.js';

/**
 * Notifications, one API node on a real Postgres (a throwaway cluster, or BENCH_DATABASE_URL),
 * sending to the local test push service (which verifies and decrypts every push, so its cost
 * is in the figures too):
 *
 * - latency: from the commit of a message (the moment the group commit wakes the sender, right
 *   after its transaction committed) to the push request leaving the server (the worker's
 *   onSend hook: claimed, about to be encrypted and sent), and to the local push service having
 *   verified, decrypted and accepted it, one message at a time, p50/p99; also from the sendMessage mutation being
 *   issued, and the mutation's own round trip;
 * - throughput: jobs one node sends per second, N recipients of one group message made due
 *   again round after round.
 *
 * Run: `node scripts/pnpm.mjs exec tsx api/bench/notifications.ts` (BENCH_MESSAGES, BENCH_MEMBERS, BENCH_ROUNDS).
 */

const knob = (name: string, fallback: number) => Number(process.env[name] ?? fallback);
const pct = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((xs.length * p) / 100))] ?? 0;

async function gql(app: RunningApp, query: string, variables: Record<string, unknown> = {}, token?: string) {
  const res = await app.yoga.fetch('http://localhost/graphql', {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify({ query, variables }),
  });
  const body = (await res.json()) as { data?: any; errors?: unknown };
  if (body.errors) throw new Error(JSON.stringify(body.errors));
  return body.data;
}

let counter = 0;
async function signUp(app: RunningApp, name: string) {
  const handle = `${name.toLowerCase()}_${process.pid}_${counter++}`;
  const d = await gql(app, 'mutation($i: SignUpInput!) { signUp(input: $i) { accessToken user { id } } }', {
    i: {
      handle,
      password: 'correct horse battery',
      displayName: name,
      device: { name: 'd', platform: 'bench', appVersion: '1' },
      refreshTokenDelivery: 'BODY',
    },
  });
  return { token: d.signUp.accessToken as string, userId: d.signUp.user.id as string };
}

async function main() {
  const server = await postgresServer(process.env.BENCH_DATABASE_URL);
  const push = await startPushService();
  const vapid = webpush.generateVAPIDKeys();
  const app = await startApp(
    testEnv({
      DATABASE_URL: await createDatabase(server.url, 'mailboat_bench'),
      PUSH_ALLOW_LOCAL_ENDPOINTS: 'true',
      NOTIFICATION_INTERVAL_SECONDS: '0',
      VAPID_PUBLIC_KEY: vapid.publicKey,
      VAPID_PRIVATE_KEY: vapid.privateKey,
    }),
  );
  try {
    const subscribe = async (token: string) => {
      const s = push.newSubscription({ applicationServerKey: vapid.publicKey });
      await gql(
        app,
        'mutation($i: PushSubscriptionInput!) { registerPushSubscription(input: $i) { id } }',
        { i: { endpoint: s.endpoint, p256dh: s.p256dh, auth: s.auth } },
        token,
      );
    };

    // Latency: one message at a time; each notification goes out at once (interval 0).
    const ana = await signUp(app, 'Ana');
    const bo = await signUp(app, 'Bo');
    await subscribe(bo.token);
    const conversationId = (await gql(app, 'mutation($u: ID!) { openDirectConversation(userId: $u) { id } }', { u: bo.userId }, ana.token))
      .openDirectConversation.id;
    const messages = knob('BENCH_MESSAGES', 300);
    const toSend: number[] = [];
    const commitToSend: number[] = [];
    const roundTrips: number[] = [];
    // The group commit wakes the sender right after its transaction committed: that call marks the commit.
    const worker = app.deps.notifications;
    const wake = worker.wake.bind(worker);
    let committedAt: number | undefined;
    let armed = false;
    const commitToAccepted: number[] = [];
    let accepted: ((at: number) => void) | undefined;
    push.onPush = () => accepted?.(performance.now());
    worker.wake = () => {
      if (armed && committedAt === undefined) committedAt = performance.now();
      wake();
    };
    for (let i = 0; i < messages; i++) {
      committedAt = undefined;
      armed = true;
      const acceptedAt = new Promise<number>((resolve) => {
        accepted = resolve;
      });
      const left = new Promise<number>((resolve) => {
        app.deps.notifications.onSend = () => resolve(performance.now());
      });
      const start = performance.now();
      await gql(
        app,
        'mutation($i: SendMessageInput!) { sendMessage(input: $i) { id } }',
        { i: { conversationId, text: `message ${i}` } },
        ana.token,
      );
      roundTrips.push(performance.now() - start);
      const leftAt = await left;
      armed = false;
      toSend.push(leftAt - start);
      commitToSend.push(leftAt - (committedAt ?? Number.NaN));
      commitToAccepted.push((await acceptedAt) - (committedAt ?? Number.NaN));
      await app.deps.notifications.idle();
    }
    app.deps.notifications.onSend = undefined;
    push.onPush = undefined;

    // Throughput: one group message to N members, made due again each round.
    const members = knob('BENCH_MEMBERS', 250);
    const rounds = knob('BENCH_ROUNDS', 8);
    const people = [];
    for (let i = 0; i < members; i++) people.push(await signUp(app, `M${i}`));
    for (const p of people) await subscribe(p.token);
    const group = (
      await gql(
        app,
        'mutation($i: CreateGroupConversationInput!) { createGroupConversation(input: $i) { id } }',
        { i: { title: 'Bench', memberIds: people.map((p) => p.userId) } },
        ana.token,
      )
    ).createGroupConversation.id;
    await gql(
      app,
      'mutation($i: SendMessageInput!) { sendMessage(input: $i) { id } }',
      { i: { conversationId: group, text: 'to everyone' } },
      ana.token,
    );
    await push.waitFor((r) => r.length >= messages + members, 60_000);
    await app.deps.notifications.idle();
    const before = app.deps.notifications.stats.sent;
    const start = performance.now();
    for (let r = 0; r < rounds; r++) {
      await sql`update notification_jobs set pending = 1, due_at = now() where pending = 0 and conversation_id = ${decodeGlobalId(group).id}`.execute(
        app.deps.db,
      );
      app.deps.notifications.wake();
      await push.waitFor((rec) => rec.length >= messages + members * (r + 2), 60_000);
      await app.deps.notifications.idle();
    }
    const seconds = (performance.now() - start) / 1000;
    const sent = app.deps.notifications.stats.sent - before;
    console.log(
      JSON.stringify(
        {
          latency: {
            messages,
            commitToPushLeavesMs: { p50: pct(commitToSend, 50), p99: pct(commitToSend, 99) },
            commitToAcceptedByPushServiceMs: { p50: pct(commitToAccepted, 50), p99: pct(commitToAccepted, 99) },
            mutationIssuedToPushLeavesMs: { p50: pct(toSend, 50), p99: pct(toSend, 99) },
            sendMessageRoundTripMs: { p50: pct(roundTrips, 50), p99: pct(roundTrips, 99) },
          },
          throughput: { jobs: sent, seconds, jobsPerSecond: sent / seconds },
          rejectedByPushService: push.rejected.length,
        },
        null,
        2,
      ),
    );
  } finally {
    await app.close();
    await push.close();
    server.stop();
  }
}

await main();

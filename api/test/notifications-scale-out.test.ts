import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import webpush from 'web-push';
import { type RunningApp, startApp, testEnv } from './environment.js';
import { freshPostgresUrl, type Session, TestClient } from './harness.js';
import { person, pushesOf, say, subscribe } from './notifications-harness.js';
import { type MintedSubscription, type PushService, startPushService } from './push-service.js';

/**
 * Two API nodes on one real Postgres share one notification queue: both claim jobs (FOR
 * UPDATE SKIP LOCKED with a lease) and every job is sent exactly once. A long interval makes
 * "once" exact: each device gets one notification for the conversation in this test.
 */
describe('notifications with two API nodes on one Postgres', () => {
  let push: PushService;
  let a: RunningApp;
  let b: RunningApp;
  beforeAll(async () => {
    push = await startPushService();
    // Every node signs with the same VAPID keys (browsers subscribed with the public key).
    const vapid = webpush.generateVAPIDKeys();
    const env = testEnv({
      DATABASE_URL: await freshPostgresUrl(),
      PUSH_ALLOW_LOCAL_ENDPOINTS: 'true',
      NOTIFICATION_INTERVAL_SECONDS: '600',
      VAPID_PUBLIC_KEY: vapid.publicKey,
      VAPID_PRIVATE_KEY: vapid.privateKey,
    });
    a = await startApp(env);
    b = await startApp(env);
  });
  afterAll(async () => {
    await a?.close();
    await b?.close();
    await push?.close();
  });

  it('sends each job once, the two nodes sharing the work', async () => {
    const viaA = new TestClient(a);
    const viaB = new TestClient(b);
    const ana = await person(viaA, 'Ana');
    const cy = await person(viaB, 'Cy');
    const members: Session[] = [];
    for (let i = 0; i < 40; i++) members.push(await person(i % 2 ? viaA : viaB, `Member${i}`));
    const subs: MintedSubscription[] = [];
    for (const [i, m] of members.entries()) subs.push(await subscribe(i % 2 ? viaA : viaB, push, m));
    const groups: string[] = [];
    for (let g = 0; g < 4; g++) groups.push(await viaA.createGroup(ana, [cy, ...members.slice(g * 10, g * 10 + 10)], `Group ${g}`));

    // Messages written on both nodes at once, to every group.
    await Promise.all(groups.flatMap((group) => [say(viaA, ana, group, `from A to ${group}`), say(viaB, cy, group, `from B to ${group}`)]));
    await push.waitFor(() => subs.every((s) => pushesOf(push, s).length >= 1), 20_000);
    await Promise.all([a.deps.notifications.idle(), b.deps.notifications.idle()]);
    await Promise.all([a.deps.notifications.idle(), b.deps.notifications.idle()]);

    for (const s of subs) expect(pushesOf(push, s)).toHaveLength(1);
    expect(push.rejected).toEqual([]);
    const sentA = a.deps.notifications.stats.sent;
    const sentB = b.deps.notifications.stats.sent;
    expect(sentA + sentB).toBe(subs.length);
  });
});

import { describe, expect, it } from 'vitest';
import { direct, person, pushesOf, say, settled, subscribe, useNotifyWorld } from './notifications-harness.js';

/** What the server does with a push service's refusals: gone is deleted at once, busy is retried. */
describe('push service answers', () => {
  const world = useNotifyWorld('pglite');
  const ENABLED = '{ viewer { device { notificationsEnabled } } }';

  for (const status of [410, 404]) {
    it(`deletes the subscription at once on ${status}, and sends it nothing more`, async () => {
      const { client, push, app } = world();
      const ana = await person(client, 'Ana');
      const bo = await person(client, 'Bo');
      const conversationId = await direct(client, ana, bo);
      const sub = await subscribe(client, push, bo);
      push.answer(sub.id, [], { status });
      await say(client, ana, conversationId, 'are you there?');
      await push.waitFor(() => pushesOf(push, sub).length === 1);
      await settled(app);
      expect((await client.ok(ENABLED, {}, bo.accessToken)).viewer.device.notificationsEnabled).toBe(false);
      await say(client, ana, conversationId, 'still there?');
      await settled(app);
      expect(pushesOf(push, sub)).toHaveLength(1);
    });
  }

  it('retries 429 and 500 with backoff (honouring Retry-After), then delivers once', async () => {
    const { client, push } = world();
    const ana = await person(client, 'Ana');
    const bo = await person(client, 'Bo');
    const conversationId = await direct(client, ana, bo);
    const sub = await subscribe(client, push, bo);
    push.answer(sub.id, [
      { status: 429, retryAfter: '1' },
      { status: 500, retryAfter: '1' },
    ]);
    await say(client, ana, conversationId, 'eventually');
    await push.waitFor(() => pushesOf(push, sub).length === 3, 20_000);
    const tries = pushesOf(push, sub);
    expect(tries.map((p) => p.status)).toEqual([429, 500, 201]);
    expect(tries.map((p) => (p.payload as { body: string }).body)).toEqual(['eventually', 'eventually', 'eventually']);
    // Each retry waited at least the Retry-After second.
    expect((tries[1]?.receivedAt ?? 0) - (tries[0]?.receivedAt ?? 0)).toBeGreaterThanOrEqual(900);
    expect((tries[2]?.receivedAt ?? 0) - (tries[1]?.receivedAt ?? 0)).toBeGreaterThanOrEqual(900);
    expect((await client.ok(ENABLED, {}, bo.accessToken)).viewer.device.notificationsEnabled).toBe(true);
  });
});

describe('push service answers, attempts exhausted', () => {
  const world = useNotifyWorld('pglite', { NOTIFICATION_MAX_ATTEMPTS: '2' });

  it('drops a notification after NOTIFICATION_MAX_ATTEMPTS failures but keeps the subscription', async () => {
    const { client, push, app } = world();
    const ana = await person(client, 'Ana');
    const bo = await person(client, 'Bo');
    const conversationId = await direct(client, ana, bo);
    const sub = await subscribe(client, push, bo);
    push.answer(sub.id, [
      { status: 503, retryAfter: '1' },
      { status: 503, retryAfter: '1' },
    ]);
    await say(client, ana, conversationId, 'lost');
    await push.waitFor(() => pushesOf(push, sub).length === 2, 20_000);
    await settled(app);
    const job = await app.deps.db.selectFrom('notification_jobs').select(['pending']).execute();
    expect(job.every((j) => j.pending === 0)).toBe(true);
    expect(pushesOf(push, sub)).toHaveLength(2);
    expect((await client.ok('{ viewer { device { notificationsEnabled } } }', {}, bo.accessToken)).viewer.device.notificationsEnabled).toBe(
      true,
    );
  });
});

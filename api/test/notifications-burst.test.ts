import { describe, expect, it } from 'vitest';
import { direct, person, pushesOf, say, settled, subscribe, useNotifyWorld } from './notifications-harness.js';

/**
 * A burst collapses: one device gets at most one notification per conversation every
 * NOTIFICATION_INTERVAL_SECONDS (3 here), each standing for the unread messages, so 100
 * messages give a few notifications, the last one counting all 100 and naming the newest.
 */
describe('a burst of messages', () => {
  const world = useNotifyWorld('pglite', { NOTIFICATION_INTERVAL_SECONDS: '3' });

  it('yields a few notifications, the last with the right count and the newest message', async () => {
    const { client, push, app } = world();
    const ana = await person(client, 'Ana');
    const bo = await person(client, 'Bo');
    const conversationId = await direct(client, ana, bo);
    const sub = await subscribe(client, push, bo);
    const started = Date.now();
    let last = '';
    for (let i = 1; i <= 100; i++) last = await say(client, ana, conversationId, `message ${i}`);
    const burstSeconds = (Date.now() - started) / 1000;
    await push.waitFor(() => (pushesOf(push, sub).at(-1)?.payload as { messageId?: string } | undefined)?.messageId === last, 20_000);
    await settled(app);
    const pushes = pushesOf(push, sub);
    // The first goes at once; then at most one per 3 s interval of the burst, plus the last.
    expect(pushes.length).toBeGreaterThanOrEqual(1);
    expect(pushes.length).toBeLessThanOrEqual(2 + Math.ceil(burstSeconds / 3));
    expect(pushes.length).toBeLessThan(20);
    expect(pushes.at(-1)?.payload).toMatchObject({ messageId: last, body: 'message 100', count: 100, unreadConversations: 1 });
    expect(pushes[0]?.payload).toMatchObject({ body: 'message 1', count: 1 });
    const counts = pushes.map((p) => (p.payload as { count: number }).count);
    expect([...counts].sort((a, b) => a - b)).toEqual(counts); // grows as messages stay unread
  });
});

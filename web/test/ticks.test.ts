import { describe, expect, it } from 'vitest';
import { anaAndBo, delivered, startApi, texts, until, useDevices } from './harness.js';

const api = startApi();

describe('ticks and unread counts', () => {
  const device = useDevices(api);

  it('go sent -> delivered -> read as the other person syncs and reads', async () => {
    const { ana, bo, c } = await anaAndBo(device);
    await ana.client.syncNow();
    bo.offline = true;
    await bo.restart(); // Bo's device is off: no live stream

    const id = ana.client.send(c, 'are you there?');
    const tick = () => ana.client.conversation(c).messages.find((m) => m.id === id)?.tick;
    expect(tick()).toBe('pending');
    await until(() => tick() === 'sent', 'the message to be sent');

    bo.offline = false;
    await bo.client.syncNow();
    await until(() => texts(bo, c).includes('are you there?'), 'Bo to receive it');
    expect(bo.client.conversations().find((x) => x.id === c)?.unreadCount).toBe(1);
    await ana.client.syncNow();
    await until(() => tick() === 'delivered', 'the message to be delivered');

    bo.client.markRead(c);
    expect(bo.client.conversations().find((x) => x.id === c)?.unreadCount).toBe(0);
    await until(() => bo.count('MarkRead') > 0, 'Bo to send the read mark');
    await ana.client.syncNow();
    await until(() => tick() === 'read', 'the message to be read');
    expect(ana.client.conversations().find((x) => x.id === c)?.lastMessage?.text).toBe('are you there?');
  });

  it('keeps a read mark made offline and sends it on sync', async () => {
    const { ana, bo, c } = await anaAndBo(device);
    const id = ana.client.send(c, 'ping');
    await delivered(ana, bo, c, 'ping');
    bo.offline = true;
    bo.client.markRead(c);
    await until(() => bo.client.conversations().find((x) => x.id === c)?.unreadCount === 0, 'the local unread count to drop');
    await bo.restart();
    expect(bo.client.conversations().find((x) => x.id === c)?.unreadCount).toBe(0);
    bo.offline = false;
    await bo.client.syncNow();
    await ana.client.syncNow();
    await until(() => ana.client.conversation(c).messages.find((m) => m.id === id)?.tick === 'read', 'the read mark to arrive');
  });
});

import { describe, expect, it } from 'vitest';
import { anaAndBo, type Device, delivered, PASSWORD, signUp, startApi, texts, until, useDevices } from './harness.js';

const api = startApi();

/** Everything that must match across devices, in display order. */
const state = (d: Device, c: string) =>
  d.client
    .conversation(c)
    .messages.map((m) => ({ id: m.id, text: m.text, deleted: m.deleted, reactions: m.reactions, createdAt: m.createdAt }));

describe('two people writing at once while offline', () => {
  const device = useDevices(api);

  it('converge to the same messages in the same order, with no duplicates', async () => {
    const { ana, bo, c } = await anaAndBo(device);
    const first = ana.client.send(c, 'first');
    await delivered(ana, bo, c, 'first');

    ana.offline = true;
    bo.offline = true;
    const a1 = ana.client.send(c, 'ana one');
    const b1 = bo.client.send(c, 'bo one');
    ana.client.edit(a1, 'ana one, edited');
    ana.client.react(first, '👍');
    bo.client.react(first, '🎉');
    bo.client.send(c, 'bo two', first);
    ana.client.remove(ana.client.send(c, 'oops'));
    bo.client.react(first, null);
    bo.client.react(first, '🎉');
    expect(b1).not.toBe(a1);

    ana.offline = false;
    bo.offline = false;
    await Promise.all([ana.client.syncNow(), bo.client.syncNow()]);
    await until(() => ana.client.syncState().pending === 0 && bo.client.syncState().pending === 0, 'both outboxes to empty');
    await Promise.all([ana.client.syncNow(), bo.client.syncNow()]);
    await until(() => JSON.stringify(state(ana, c)) === JSON.stringify(state(bo, c)), 'both devices to converge').catch((e) => {
      console.log(
        JSON.stringify(state(ana, c), null, 1),
        JSON.stringify(state(bo, c), null, 1),
        ana.client.syncState(),
        bo.client.syncState(),
      );
      throw e;
    });

    const messages = ana.client.conversation(c).messages;
    expect(messages.map((m) => m.text).sort()).toEqual(['', 'ana one, edited', 'bo one', 'bo two', 'first'].sort());
    expect(new Set(messages.map((m) => m.id)).size).toBe(messages.length);
    const sorted = [...messages].sort((x, y) => x.createdAt - y.createdAt || (x.id < y.id ? -1 : 1));
    expect(messages.map((m) => m.id)).toEqual(sorted.map((m) => m.id));
    expect(
      messages
        .find((m) => m.id === first)
        ?.reactions.map((r) => r.emoji)
        .sort(),
    ).toEqual(['🎉', '👍'].sort());
    expect(messages.find((m) => m.text === 'bo two')?.replyTo).toBe(first);
    expect(messages.find((m) => m.text === '')?.deleted).toBe(true);
  });

  it('a new device of the same person catches up with progress, and then follows the changes feed', async () => {
    const ana = device('ana phone');
    const bo = device('bo phone');
    const anaHandle = await signUp(ana, 'ana', 'Ana');
    const boHandle = await signUp(bo, 'bo', 'Bo');
    const boId = (await ana.client.findUser(boHandle))!.id;
    const direct = await ana.client.openDirect(boId);
    const group = await ana.client.createGroup('Climbing', [boId]);
    for (let i = 0; i < 5; i++) ana.client.send(direct, `direct ${i}`);
    ana.client.send(group, 'group hello');
    await until(() => ana.client.syncState().pending === 0, 'Ana to push');

    const laptop = device('ana laptop');
    const progress: { done: number; total: number }[] = [];
    laptop.client.subscribe(() => {
      const p = laptop.client.syncState().progress;
      if (p && progress[progress.length - 1] !== p) progress.push(p);
    });
    await laptop.client.signIn({ handle: anaHandle, password: PASSWORD });
    await laptop.client.syncNow();
    await until(() => texts(laptop, direct).length === 5 && texts(laptop, group).length === 1, 'the laptop to load history');
    expect(texts(laptop, direct)).toEqual(['direct 0', 'direct 1', 'direct 2', 'direct 3', 'direct 4']);
    expect(progress.some((p) => p.total === 2)).toBe(true);
    expect(progress[progress.length - 1]).toEqual({ done: 2, total: 2 });
    expect(laptop.client.syncState().progress).toBeNull();
    expect(laptop.client.conversation(direct).messages.every((m) => m.mine && m.tick !== 'pending')).toBe(true);

    // Later changes reach the laptop through the changes feed (its live stream is cut).
    laptop.offline = true;
    await laptop.restart();
    bo.client.send(direct, 'from bo');
    await until(() => bo.client.syncState().pending === 0, 'Bo to push');
    laptop.offline = false;
    const before = laptop.count('Changes');
    await laptop.client.syncNow();
    await until(() => texts(laptop, direct).includes('from bo'), 'the laptop to catch up');
    expect(laptop.count('Changes') - before).toBeGreaterThan(0);
  });
});

import { afterEach, describe, expect, it } from 'vitest';
import { previewPolicy } from '../src/launch/preview.js';
import { type Device, databaseNames, directPair, startApi, until, useDevices } from './harness.js';

const api = startApi();

/** What a row shows: its text, or that it was deleted. */
const shown = (device: Device, conversationId: string) =>
  device.client.conversation(conversationId).messages.map((m) => (m.deleted ? '(deleted)' : m.text));

describe('the preview after a launch', () => {
  const device = useDevices(api);
  afterEach(() => {
    previewPolicy.minHeldMessages = 1000;
  });

  async function chat() {
    const ana = device('ana phone');
    const bo = device('bo phone');
    const { c } = await directPair(ana, bo);
    await bo.client.syncNow();
    const ids = ['one', 'two', 'three'].map((text) => bo.client.send(c, text));
    await until(() => bo.client.syncState().pending === 0, 'Bo to push');
    await until(() => shown(ana, c).length === 3, 'Ana to receive the messages');
    return { ana, bo, c, ids };
  }

  it('shows the rows of the last run at once, read-only, then the real view in their place, changes made meanwhile included', async () => {
    previewPolicy.minHeldMessages = 1;
    const { ana, bo, c, ids } = await chat();
    const before = ana.client.conversation(c).messages.map((m) => m.id);
    await ana.close(); // the device is off while Bo changes things
    bo.client.edit(ids[1]!, 'two, edited');
    bo.client.remove(ids[2]!);
    await until(() => bo.client.syncState().pending === 0, 'Bo to push');

    await ana.restart();
    const preview = ana.client.conversation(c);
    expect(preview.preview).toBe(true);
    expect(shown(ana, c)).toEqual(['one', 'two', 'three']); // what the last run showed
    expect(preview.messages.map((m) => m.id)).toEqual(before);
    expect(ana.client.session()?.user.displayName).toBe('Ana');
    expect(ana.client.conversations().map((s) => s.title)).toEqual(['Bo']);
    expect(() => ana.client.send(c, 'too early')).toThrow(/still opening/);

    await until(() => ana.client.conversation(c).preview === undefined, 'the real view');
    expect(ana.client.conversation(c).messages.map((m) => m.id)).toEqual(before); // same rows, same keys
    await until(() => shown(ana, c).join() === 'one,two, edited,(deleted)', 'the catch-up to correct the rows');
    await ana.client.syncNow();
    expect(shown(ana, c)).toEqual(['one', 'two, edited', '(deleted)']); // the write refused while opening was never made
  });

  it('takes a send made as soon as the real view is there, and keeps it through the next launch', async () => {
    previewPolicy.minHeldMessages = 1;
    const { ana, bo, c } = await chat();
    await ana.restart();
    expect(ana.client.conversation(c).preview).toBe(true);
    await until(() => ana.client.conversation(c).preview === undefined, 'the real view');
    const id = ana.client.send(c, 'right after the launch');
    expect(shown(ana, c)).toEqual(['one', 'two', 'three', 'right after the launch']);
    await until(() => ana.client.syncState().pending === 0, 'the push');
    await ana.restart();
    expect(ana.client.conversation(c).preview).toBe(true);
    expect(ana.client.conversation(c).messages.at(-1)).toMatchObject({ id, text: 'right after the launch' });
    await until(() => ana.client.conversation(c).preview === undefined, 'the real view');
    expect(ana.client.conversation(c).messages.at(-1)).toMatchObject({ id, text: 'right after the launch' });
    await until(() => shown(bo, c).includes('right after the launch'), 'Bo to receive it');
  });

  it('is not used for small histories: the launch waits for the documents, and writes work at once', async () => {
    const { ana, c } = await chat();
    await ana.restart();
    expect(ana.client.conversation(c).preview).toBeUndefined();
    expect(shown(ana, c)).toEqual(['one', 'two', 'three']);
    ana.client.send(c, 'at once');
    expect(ana.client.syncState().pending).toBe(1);
  });

  it('is wiped with the account at sign-out', async () => {
    previewPolicy.minHeldMessages = 1;
    const { ana } = await chat();
    const userId = ana.client.session()!.user.id;
    await ana.restart();
    await ana.client.signOut();
    expect((await databaseNames(ana)).filter((n) => n.includes(userId))).toEqual([]);
    await ana.restart();
    expect(ana.client.session()).toBeNull();
    expect(ana.client.conversations()).toEqual([]);
  });
});

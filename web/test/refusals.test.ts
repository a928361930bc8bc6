import { messagesOf, parseGlobalId, segmentOf, segmentStart } from '@mailboat/schema';
import { describe, expect, it } from 'vitest';
import type * as Y from 'yjs';
import { localOrigin } from '../src/sync/origins.js';
import {
  anaAndBo,
  type Device,
  delivered,
  directPair,
  accountOf as heldAccount,
  signUp,
  startApi,
  texts,
  until,
  useDevices,
} from './harness.js';

const api = startApi();
const accountOf = (d: Device) => {
  const account = heldAccount(d);
  if (!account) throw new Error(`${d.name} is signed out`);
  return account;
};

describe('refusals, repairs and replays', () => {
  const device = useDevices(api);

  it('a write the server refuses ends failed and rolled back; writes behind it still go through', async () => {
    const ana = device('ana');
    const bo = device('bo');
    await signUp(ana, 'ana', 'Ana');
    const boHandle = await signUp(bo, 'bo', 'Bo');
    const boId = (await ana.client.findUser(boHandle))!.id;
    const group = await ana.client.createGroup('Climbing', [boId]);
    const direct = await ana.client.openDirect(boId);
    ana.client.send(group, 'welcome');
    await delivered(ana, bo, group, 'welcome');

    bo.offline = true;
    await bo.restart();
    const refused = bo.client.send(group, 'see you at the wall');
    bo.client.send(direct, 'are we still on?');
    expect(bo.client.syncState().pending).toBe(2);
    await ana.client.removeMember(group, boId);

    bo.offline = false;
    await bo.client.syncNow();
    await until(() => bo.client.syncState().pending === 0, 'Bo to settle the outbox');
    const failed = bo.client.conversation(group).messages.find((m) => m.id === refused);
    expect(failed).toMatchObject({ tick: 'failed', text: 'see you at the wall', failure: { code: 'NOT_FOUND', retryable: false } });
    expect(bo.client.conversations().map((c) => c.id)).not.toContain(group);
    expect(texts(bo, group)).toEqual(['see you at the wall']); // only the failed write, shown as failed

    await ana.client.syncNow();
    await until(() => texts(ana, direct).includes('are we still on?'), 'the write behind it to reach Ana');
    expect(texts(ana, group)).toEqual(['welcome']);

    bo.client.dismiss(refused);
    expect(texts(bo, group)).toEqual([]);
  });

  it('a refusal inside a long merged backlog fails that write alone; the others go through', async () => {
    const { ana, bo, c } = await anaAndBo(device);
    ana.offline = true;
    const sent = Array.from({ length: 30 }, (_, i) => `backlog ${i}`);
    for (const text of sent.slice(0, 15)) ana.client.send(c, text);
    // A write the rules refuse, queued like any other: it changes the author of Ana's own message.
    const account = accountOf(ana);
    const victim = ana.client.conversation(c).messages[3];
    const held = account.segments.ofConversation(c).find((h) => messagesOf(h.doc).has(parseGlobalId(victim?.id ?? '')?.id ?? ''));
    if (!victim || !held) throw new Error('the message to tamper with is not held');
    const messageId = parseGlobalId(victim.id)?.id as string;
    const origin = localOrigin({ kind: 'react', conversationId: c, messageId, userId: account.viewerId, emoji: '👍' });
    held.doc.transact(
      () => (messagesOf(held.doc).get(messageId) as Y.Map<unknown>).set('author', 'usr_00000000000000000000000000000000'),
      origin,
    );
    account.outbox.add({ conversationId: c, segment: held.segment, update: origin.update as Uint8Array, op: origin.op });
    for (const text of sent.slice(15)) ana.client.send(c, text);
    expect(ana.client.syncState().pending).toBe(31); // more than 20 in one segment: pushed as one merged update

    ana.offline = false;
    await ana.client.syncNow();
    await until(() => ana.client.syncState().pending === 0, 'Ana to settle the outbox');
    await bo.client.syncNow();
    await until(() => texts(bo, c).length === 30, 'every message to reach Bo');
    expect(texts(bo, c)).toEqual(sent);
    // Only the tampered write failed (its message shows it); every message was sent.
    expect(account.outbox.failed().map((f) => [f.op.messageId, f.failure.code])).toEqual([[messageId, 'FORBIDDEN_UPDATE']]);
    expect(ana.client.conversation(c).messages.map((m) => m.text)).toEqual(sent);
  });

  it('answers MISSING_DEPENDENCIES by pushing what the server lacks', async () => {
    // A clock that stands still keeps both messages in one segment document (the server
    // clock's correction shifts it to the server's time, but it still does not move).
    const past = segmentStart(segmentOf(Date.now()) - 1) + 60_000;
    const { ana, bo, c } = await anaAndBo(device, { now: () => past });
    await ana.client.syncNow();

    ana.offline = true;
    ana.client.send(c, 'one');
    ana.client.send(c, 'two');
    const outbox = accountOf(ana).outbox;
    const [first] = outbox.list(c);
    outbox.remove([first!.seq]); // the first update is lost: the second cannot apply without it
    expect(outbox.size).toBe(1);

    ana.offline = false;
    await ana.client.syncNow();
    await until(() => ana.client.syncState().pending === 0, 'the outbox to empty');
    // Bo's device is live: it may already have marked them delivered.
    for (const m of ana.client.conversation(c).messages) expect(['sent', 'delivered']).toContain(m.tick);
    expect(ana.client.conversation(c).messages).toHaveLength(2);
    await bo.client.syncNow();
    await until(() => texts(bo, c).length === 2, 'Bo to receive both');
    expect(texts(bo, c)).toEqual(['one', 'two']);
  });

  it('replays of acknowledged writes change nothing anywhere', async () => {
    const { ana, bo, c } = await anaAndBo(device);
    const id = ana.client.send(c, 'only once');
    ana.client.react(id, '🎉');
    const written = accountOf(ana).outbox.list(c);
    await until(() => ana.client.syncState().pending === 0, 'Ana to push');

    for (const e of written)
      accountOf(ana).outbox.add({ conversationId: e.conversationId, segment: e.segment, update: e.update, op: e.op });
    expect(ana.client.syncState().pending).toBe(2);
    await ana.client.syncNow();
    await until(() => ana.client.syncState().pending === 0, 'the replays to be acknowledged');

    await bo.client.syncNow();
    await until(() => texts(bo, c).length > 0, 'Bo to receive it');
    await bo.client.syncNow();
    expect(bo.client.conversation(c).messages).toHaveLength(1);
    expect(bo.client.conversation(c).messages[0]?.reactions).toHaveLength(1);
    expect(ana.client.conversation(c).messages).toHaveLength(1);
  });
});

describe('a write refused by the write rules', () => {
  const device = useDevices(api);

  /**
   * Ana writes to Bo offline after her device clock jumped an hour ahead, then syncs: the device
   * could not learn the server's time meanwhile, and the server refuses createdAt more than
   * minutes ahead. Her clock stays an hour fast.
   */
  async function writtenFromTheFuture() {
    let skew = 0;
    const pair = await anaAndBo(device, { now: () => Date.now() + skew });
    pair.ana.offline = true;
    skew = 3_600_000;
    const id = pair.ana.client.send(pair.c, 'from the future');
    pair.ana.offline = false;
    await pair.ana.client.syncNow();
    return { ...pair, id };
  }

  it('is rolled back out of the segment document (rebuilt from the server) and shown as failed', async () => {
    const { ana, bo, c, id } = await writtenFromTheFuture();
    await until(() => ana.client.syncState().pending === 0, 'the refusal');
    expect(ana.client.conversation(c).messages).toMatchObject([
      { id, tick: 'failed', failure: { code: 'FORBIDDEN_UPDATE', retryable: true } },
    ]);
    const held = accountOf(ana).segments.ofConversation(c);
    expect(held.flatMap((h) => [...h.doc.getMap('messages').keys()])).toEqual([]);
    await ana.restart();
    expect(ana.client.conversation(c).messages.map((m) => m.tick)).toEqual(['failed']);
    await bo.client.syncNow();
    expect(texts(bo, c)).toEqual([]);
  });

  it('does not keep refusing: once online, new messages are dated by the server clock, though the device clock stays wrong', async () => {
    const { ana, bo, c } = await writtenFromTheFuture();
    await until(() => ana.client.conversation(c).messages.some((m) => m.tick === 'failed'), 'the refusal');

    ana.client.send(c, 'on time'); // the clock is still an hour fast
    await until(() => ana.client.syncState().pending === 0, 'the push');
    const onTime = ana.client.conversation(c).messages.find((m) => m.text === 'on time');
    expect(['sent', 'delivered']).toContain(onTime?.tick); // Bo's device may already have it
    expect(Math.abs((onTime?.createdAt ?? 0) - Date.now())).toBeLessThan(60_000);
    await bo.client.syncNow();
    expect(texts(bo, c)).toEqual(['on time']);
  });
});

describe('a device whose clock is wrong', () => {
  const device = useDevices(api);

  it('dates its messages by the server clock, learned from the answers, so none is refused', async () => {
    for (const skew of [3_600_000, -3_600_000]) {
      const ana = device(`ana ${skew}`, { now: () => Date.now() + skew });
      const bo = device(`bo ${skew}`);
      const { c } = await directPair(ana, bo);
      ana.client.send(c, 'first');
      ana.client.send(c, 'second');
      await until(() => ana.client.syncState().pending === 0, 'the pushes');
      const sent = ana.client.conversation(c).messages;
      expect(sent.map((m) => [m.text, m.tick === 'failed'])).toEqual([
        ['first', false],
        ['second', false],
      ]);
      for (const m of sent) expect(Math.abs(m.createdAt - Date.now())).toBeLessThan(60_000);
      await bo.client.syncNow();
      await until(() => texts(bo, c).length === 2, 'Bo to receive both');
      expect(texts(bo, c)).toEqual(['first', 'second']);
    }
  });
});

import {
  createMessage,
  editMessage,
  encodeGlobalId,
  Field,
  isVersionKey,
  limits,
  messagesOf,
  parseGlobalId,
  readMessage,
  segmentOf,
  setReaction,
  versionKey,
} from '@mailboat/schema';
import { createMessageV1, editMessageV1 } from '@mailboat/schema/legacy';
import { v7 as uuidv7 } from 'uuid';
import { describe, expect, it, vi } from 'vitest';
import * as Y from 'yjs';
import type { App } from '../../api/src/app.js';
import { ClientError } from '../src/app/model.js';
import { encodeBytes } from '../src/sync/bytes.js';
import { invalidEntriesReported } from '../src/sync/message-index.js';
import { LOAD, REMOTE } from '../src/sync/origins.js';
import { applyOp } from '../src/sync/write-ops.js';
import { type Device, directPair, accountOf as heldAccount, PASSWORD, startApi, texts, until, useDevices } from './harness.js';

const api = startApi();

const accountOf = (d: Device) => {
  const account = heldAccount(d);
  if (!account) throw new Error(`${d.name} is signed out`);
  return account;
};

/** What every device must agree on about one message: its text, whether it is deleted, and its history. */
const shown = (d: Device, c: string, id: string) => {
  const m = d.client.conversation(c).messages.find((x) => x.id === id);
  return m && { text: m.text, deleted: m.deleted, history: m.versions.map((v) => v.text) };
};

/** The version entries (and v1 text) the device's document still holds for message `id`. */
const heldText = (d: Device, c: string, id: string) =>
  accountOf(d)
    .segments.ofConversation(c)
    .flatMap((h) => {
      const map = messagesOf(h.doc).get(parseGlobalId(id)!.id);
      if (!map) return [];
      const legacy = map.get(Field.text);
      return [...map.keys()].filter(isVersionKey).concat(legacy instanceof Y.Text && legacy.length > 0 ? ['text'] : []);
    });

const idle = (...devices: Device[]) => devices.every((d) => d.client.syncState().pending === 0);

/** Waits until every device has pushed what it wrote, then lets each catch up. */
async function settle(...devices: Device[]): Promise<void> {
  await until(() => idle(...devices), 'every outbox to empty');
  await Promise.all(devices.map((d) => d.client.syncNow()));
  await until(() => idle(...devices), 'every outbox to empty after catching up');
}

/** Signs the person of `handle` in on device `d`, and waits until it shows what `ready` wants. */
async function anotherDevice(d: Device, handle: string, ready: (d: Device) => boolean): Promise<void> {
  await d.client.signIn({ handle, password: PASSWORD });
  await d.client.syncNow();
  await until(() => ready(d), `${d.name} to load the conversation`);
}

/** A GraphQL call straight to the API, as another app (or an older version of this one) would make it. */
async function gql<T>(app: App, query: string, variables: Record<string, unknown>, token?: string): Promise<T> {
  const res = await app.yoga.fetch('http://localhost/graphql', {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify({ query, variables }),
  });
  const body = (await res.json()) as { data?: T; errors?: unknown[] };
  if (body.errors) throw new Error(JSON.stringify(body.errors));
  return body.data as T;
}

/** Signs `handle` in as a device of its own (an app not yet updated); returns its access token. */
async function oldAppToken(app: App, handle: string): Promise<string> {
  const data = await gql<{ signIn: { accessToken: string } }>(app, 'mutation($i: SignInInput!) { signIn(input: $i) { accessToken } }', {
    i: { handle, password: PASSWORD, refreshTokenDelivery: 'BODY', device: { name: 'old app', platform: 'test', appVersion: '0.9.0' } },
  });
  return data.signIn.accessToken;
}

/** Pushes one update as the old app; returns its status. */
async function oldAppPush(app: App, token: string, conversationId: string, segment: number, update: Uint8Array): Promise<string> {
  const data = await gql<{ pushUpdates: { results: { status: string }[] } }>(
    app,
    'mutation($u: [SegmentUpdateInput!]!) { pushUpdates(updates: $u) { results { status } } }',
    { u: [{ conversationId, segment, update: encodeBytes(update) }] },
    token,
  );
  return data.pushUpdates.results[0]?.status ?? 'none';
}

/** The update one transaction on `doc` makes. */
function updateOf(doc: Y.Doc, change: () => void): Uint8Array {
  let update: Uint8Array = new Uint8Array();
  const keep = (u: Uint8Array) => {
    update = u;
  };
  doc.on('update', keep);
  doc.transact(change, 'test');
  doc.off('update', keep);
  return update;
}

/** Ana on her phone and laptop and Bo, in a direct conversation holding Ana's 'Lunch at noon?' on every device. */
async function threeDevices(device: (name: string) => Device) {
  const phone = device('ana-phone');
  const bo = device('bo');
  const { c } = await directPair(phone, bo);
  const anaHandle = phone.client.session()?.user.handle as string;
  const id = phone.client.send(c, 'Lunch at noon?');
  const laptop = device('ana-laptop');
  await anotherDevice(laptop, anaHandle, (d) => texts(d, c).includes('Lunch at noon?'));
  await until(() => texts(bo, c).includes('Lunch at noon?'), 'Bo to receive it');
  return { phone, laptop, bo, c, id };
}

describe('an edit is whole', () => {
  const device = useDevices(api);

  it('two devices of one person edit the same message, one offline: every device shows the later edit, and both are in the history', async () => {
    const { phone, laptop, bo, c, id } = await threeDevices(device);
    phone.offline = true;
    phone.client.edit(id, 'Lunch at 1pm?');
    expect(shown(phone, c, id)).toEqual({ text: 'Lunch at 1pm?', deleted: false, history: ['Lunch at noon?', 'Lunch at 1pm?'] });
    await new Promise((r) => setTimeout(r, 20)); // the laptop's edit is the later one
    laptop.client.edit(id, 'Dinner at noon instead?');
    await until(() => idle(laptop), 'the laptop to push');
    phone.offline = false;
    await phone.client.syncNow();
    await settle(phone, laptop, bo);

    const expected = {
      text: 'Dinner at noon instead?',
      deleted: false,
      history: ['Lunch at noon?', 'Lunch at 1pm?', 'Dinner at noon instead?'],
    };
    for (const d of [phone, laptop, bo])
      await until(() => JSON.stringify(shown(d, c, id)) === JSON.stringify(expected), `${d.name} to converge`);
    const edited = bo.client.conversation(c).messages.find((m) => m.id === id);
    expect(edited?.editedAt).toBe(edited?.versions.at(-1)?.at);
    expect(edited?.versions.map((v) => v.at)).toEqual([...(edited?.versions.map((v) => v.at) ?? [])].sort((a, b) => a - b));
    expect(phone.client.conversation(c).messages.find((m) => m.id === id)?.tick).not.toBe('failed');
  });

  it('edits stamped the same millisecond on two online devices converge to the same one everywhere', async () => {
    // Both devices' clocks stand still (after the conversation is created: no message may be older).
    let at = 0;
    const clock = () => at || Date.now();
    const phone = device('ana-phone', { now: clock });
    const bo = device('bo');
    const { c } = await directPair(phone, bo);
    at = Date.now() + 1;
    const anaHandle = phone.client.session()?.user.handle as string;
    const id = phone.client.send(c, 'first');
    const laptop = device('ana-laptop', { now: clock });
    await anotherDevice(laptop, anaHandle, (d) => texts(d, c).includes('first'));

    phone.client.edit(id, 'from the phone');
    laptop.client.edit(id, 'from the laptop');
    await settle(phone, laptop, bo);
    const histories = () => [phone, laptop, bo].map((d) => JSON.stringify(shown(d, c, id)));
    await until(() => new Set(histories()).size === 1 && shown(bo, c, id)?.history.length === 3, 'every device to converge');
    const result = shown(bo, c, id);
    expect(result?.history.slice(1).sort()).toEqual(['from the laptop', 'from the phone']);
    expect(result?.text).toBe(result?.history.at(-1));
    const stamps =
      bo.client
        .conversation(c)
        .messages.find((m) => m.id === id)
        ?.versions.slice(1) ?? [];
    expect(stamps[0]?.at).toBe(stamps[1]?.at); // a true tie: the version id decides, the same way everywhere
  });

  it('an edit to the same text changes nothing, and a message keeps at most the allowed number of versions', async () => {
    const ana = device('ana');
    const bo = device('bo');
    const { c } = await directPair(ana, bo);
    const id = ana.client.send(c, 'v0');
    await settle(ana);
    ana.client.edit(id, '  v0 ');
    expect(ana.client.syncState().pending).toBe(0);

    ana.offline = true;
    for (let i = 1; i < limits.messageVersions.max; i++) ana.client.edit(id, `v${i}`);
    const pending = ana.client.syncState().pending;
    expect(() => ana.client.edit(id, 'one too many')).toThrow(ClientError);
    expect(ana.client.syncState().pending).toBe(pending);
    ana.offline = false;
    await ana.client.syncNow();
    await settle(ana, bo);
    await until(() => shown(bo, c, id)?.history.length === limits.messageVersions.max, 'Bo to receive every version');
    expect(shown(bo, c, id)?.text).toBe(`v${limits.messageVersions.max - 1}`);
    expect(ana.client.conversation(c).messages.some((m) => m.tick === 'failed')).toBe(false);
  });
});

describe('an edit racing a deletion', () => {
  const device = useDevices(api);

  /**
   * Every device shows the message deleted with no history, and holds none of its text (not
   * only hidden: purged from every document, the server's too, as a device signed in later
   * finds); no write of the author's devices was refused.
   */
  async function expectGoneForEveryone(devices: Device[], c: string, id: string): Promise<void> {
    const gone = { text: '', deleted: true, history: [] };
    for (const d of devices) {
      await until(() => JSON.stringify(shown(d, c, id)) === JSON.stringify(gone), `${d.name} to show it deleted`);
      await until(() => heldText(d, c, id).length === 0, `${d.name}'s document to hold no text of it`);
    }
    const reader = devices.at(-1) as Device;
    const late = device(`${reader.name}-late`);
    await anotherDevice(late, reader.client.session()?.user.handle as string, (d) => shown(d, c, id)?.deleted === true);
    expect(heldText(late, c, id)).toEqual([]);
    for (const d of devices.slice(0, -1)) expect(d.client.conversation(c).messages.some((m) => m.tick === 'failed')).toBe(false);
  }

  it('an edit the server took before a deletion written without seeing it is removed for everyone: delete wins', async () => {
    const { phone, laptop, bo, c, id } = await threeDevices(device);
    laptop.offline = true;
    laptop.client.remove(id);
    phone.client.edit(id, 'Lunch at 1pm?');
    await until(() => shown(bo, c, id)?.text === 'Lunch at 1pm?', 'Bo to see the edit');
    laptop.offline = false;
    await laptop.client.syncNow();
    await settle(phone, laptop, bo);

    await expectGoneForEveryone([phone, laptop, bo], c, id);
  });

  it('an edit written offline that reaches the server after the deletion: its text is removed for everyone too', async () => {
    const { phone, laptop, bo, c, id } = await threeDevices(device);
    phone.offline = true;
    phone.client.edit(id, 'Lunch at 1pm?');
    laptop.client.remove(id);
    await until(() => idle(laptop) && shown(bo, c, id)?.deleted === true, 'the server and Bo to have the deletion');
    phone.offline = false;
    await phone.client.syncNow();
    await settle(phone, laptop, bo);

    // The late edit is accepted (delete wins when read): nothing is refused, so nobody is asked to undo anything.
    await expectGoneForEveryone([phone, laptop, bo], c, id);
  });
});

describe('entries that are not valid messages', () => {
  const device = useDevices(api);

  it('are skipped and reported; the rest of the conversation shows and keeps working, also after a restart', async () => {
    const ana = device('ana');
    const bo = device('bo');
    const { c } = await directPair(ana, bo);
    ana.client.send(c, 'one');
    ana.client.send(c, 'two');
    await settle(ana);
    await until(() => texts(bo, c).length === 2, 'Bo to receive both');

    // Written by another client (a future app, a bug): a plain value, a message missing its
    // fields, and a complete message filed under another key.
    const held = accountOf(bo).segments.ofConversation(c)[0];
    if (!held) throw new Error('Bo holds no segment');
    const foreign = new Y.Doc();
    Y.applyUpdate(foreign, Y.encodeStateAsUpdate(held.doc));
    const update = updateOf(foreign, () => {
      const messages = messagesOf(foreign) as Y.Map<unknown>;
      messages.set('a plain value', 'not a message');
      const half = new Y.Map<unknown>();
      half.set(Field.id, 'half');
      messages.set('half', half);
      const misfiled = new Y.Map<unknown>();
      const realId = uuidv7();
      misfiled.set(Field.id, realId);
      misfiled.set(Field.author, 'usr_x');
      misfiled.set(Field.createdAt, Date.now());
      misfiled.set(Field.reactions, new Y.Map());
      misfiled.set(versionKey(realId), { text: 'misfiled', at: Date.now() });
      messages.set(uuidv7(), misfiled);
    });
    const reported = invalidEntriesReported();
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined);
    try {
      Y.applyUpdate(held.doc, update, REMOTE);
      expect(texts(bo, c)).toEqual(['one', 'two']);
      expect(held.index.invalid).toBe(3);
      expect(invalidEntriesReported() - reported).toBe(3);
      expect(warn).toHaveBeenCalledTimes(3);
      expect(bo.client.conversations().find((s) => s.id === c)?.lastMessage?.text).toBe('two');

      ana.client.send(c, 'three');
      await until(() => texts(bo, c).includes('three'), 'Bo to receive a new message');
      bo.client.send(c, 'still writing');
      await settle(ana, bo);
      await until(() => texts(ana, c).includes('still writing'), 'Ana to receive Bo’s reply');
      expect(bo.client.conversation(c).messages.find((m) => m.text === 'still writing')?.tick).not.toBe('failed');

      await bo.restart();
      expect(texts(bo, c)).toEqual(['one', 'two', 'three', 'still writing']);
      expect(accountOf(bo).segments.ofConversation(c)[0]?.index.invalid).toBe(3);
    } finally {
      warn.mockRestore();
    }
  });
});

describe('documents and writes of the old shape (contract v1)', () => {
  const device = useDevices(api);

  it('a message of the old shape held in IndexedDB shows the same text after the upgrade, and can then be edited', async () => {
    const ana = device('ana');
    const bo = device('bo');
    const { c } = await directPair(ana, bo);
    const session = ana.client.session();
    const token = await oldAppToken(api(), session?.user.handle as string);
    const createdAt = Date.now();
    const segment = segmentOf(createdAt);
    const old = new Y.Doc();
    const docId = uuidv7({ msecs: createdAt });
    const id = encodeGlobalId('Message', docId);
    const author = session?.user.id as string;
    const created = updateOf(old, () => createMessageV1(old, { id: docId, author, createdAt, text: 'Lunch at noon?' }));
    expect(await oldAppPush(api(), token, c, segment, created)).toBe('ACCEPTED');
    const edited = updateOf(old, () => editMessageV1(old, docId, 'Lunch at 1pm?', createdAt + 1000));
    expect(await oldAppPush(api(), token, c, segment, edited)).toBe('ACCEPTED');
    await ana.client.syncNow();
    await until(() => texts(ana, c).includes('Lunch at 1pm?'), 'Ana’s device to receive it');
    expect(
      messagesOf(accountOf(ana).segments.get(c, segment)?.doc as Y.Doc)
        .get(docId)
        ?.get(Field.text),
    ).toBeInstanceOf(Y.Text);

    ana.offline = true;
    await ana.restart(); // the new app opens what IndexedDB holds
    const before = ana.client.conversation(c).messages.find((m) => m.id === id);
    expect(before).toMatchObject({ text: 'Lunch at 1pm?', editedAt: createdAt + 1000, deleted: false });
    expect(before?.versions.map((v) => v.text)).toEqual(['Lunch at 1pm?']);

    ana.client.edit(id, 'Dinner at noon instead?');
    expect(shown(ana, c, id)).toEqual({
      text: 'Dinner at noon instead?',
      deleted: false,
      history: ['Lunch at 1pm?', 'Dinner at noon instead?'],
    });
    ana.offline = false;
    await ana.client.syncNow();
    await settle(ana, bo);
    expect(ana.client.conversation(c).messages.find((m) => m.id === id)?.tick).not.toBe('failed');
    await until(() => shown(bo, c, id)?.text === 'Dinner at noon instead?', 'Bo to receive the edit');
    expect(shown(bo, c, id)?.history).toEqual(['Lunch at 1pm?', 'Dinner at noon instead?']);
  });

  it('an edit the previous app version queued (no version id) is applied as a new version when it must be written again', async () => {
    const ana = device('ana');
    const bo = device('bo');
    const { c } = await directPair(ana, bo);
    const session = ana.client.session();
    const token = await oldAppToken(api(), session?.user.handle as string);
    const createdAt = Date.now();
    const segment = segmentOf(createdAt);
    const docId = uuidv7({ msecs: createdAt });
    const id = encodeGlobalId('Message', docId);
    const old = new Y.Doc();
    const created = updateOf(old, () =>
      createMessageV1(old, { id: docId, author: session?.user.id as string, createdAt, text: 'Lunch at noon?' }),
    );
    expect(await oldAppPush(api(), token, c, segment, created)).toBe('ACCEPTED');
    await ana.client.syncNow();
    await until(() => texts(ana, c).includes('Lunch at noon?'), 'Ana’s device to receive it');

    // The previous app, offline, wrote two changes with one Yjs client and queued them: a
    // reaction in Bo's name (refused) and, after it, an edit of the old shape.
    ana.offline = true;
    const account = accountOf(ana);
    const held = account.segments.get(c, segment);
    if (!held) throw new Error('no segment');
    const previous = new Y.Doc();
    Y.applyUpdate(previous, Y.encodeStateAsUpdate(held.doc));
    const boId = bo.client.session()?.user.id as string;
    const refused = updateOf(previous, () => setReaction(previous, docId, boId, '👍'));
    const editedAt = Date.now();
    const edit = updateOf(previous, () => editMessageV1(previous, docId, 'Lunch at 1pm?', editedAt));
    Y.applyUpdate(held.doc, refused, LOAD);
    Y.applyUpdate(held.doc, edit, LOAD);
    account.outbox.add({
      conversationId: c,
      segment,
      update: refused,
      op: { kind: 'react', conversationId: c, messageId: docId, userId: boId, emoji: '👍' },
    });
    account.outbox.add({
      conversationId: c,
      segment,
      update: edit,
      op: { kind: 'edit', conversationId: c, messageId: docId, text: 'Lunch at 1pm?', editedAt },
    });
    ana.offline = false;
    await ana.client.syncNow();
    await settle(ana, bo);

    const message = ana.client.conversation(c).messages.find((m) => m.id === id);
    expect(message).toMatchObject({ text: 'Lunch at 1pm?', failure: { code: 'FORBIDDEN_UPDATE' } }); // the reaction failed
    expect(message?.reactions).toEqual([]);
    expect(message?.versions.map((v) => v.text)).toEqual(['Lunch at noon?', 'Lunch at 1pm?']);
    expect(message?.versions[1]?.at).toBeGreaterThanOrEqual(editedAt);
    await until(() => shown(bo, c, id)?.text === 'Lunch at 1pm?', 'Bo to receive the edit');
    expect(shown(bo, c, id)?.history).toEqual(['Lunch at noon?', 'Lunch at 1pm?']);
  });
});

describe('applying an edit op', () => {
  const T = Date.UTC(2026, 0, 5, 12);
  const id = uuidv7({ msecs: T });
  const doc = () => {
    const d = new Y.Doc();
    createMessage(d, { id, author: 'usr_a', createdAt: T, text: 'one' });
    editMessage(d, id, 'two', T + 5000, uuidv7({ msecs: T + 5000 }));
    return d;
  };

  it('gives an edit of the previous app version a fresh version, later than the one it replaces', () => {
    const d = doc();
    expect(applyOp(d, { kind: 'edit', conversationId: 'cnv_x', messageId: id, text: 'three', editedAt: T + 1000 }, 'local')).toBe(true);
    const m = readMessage(messagesOf(d).get(id));
    expect(m?.text).toBe('three');
    expect(m?.versions.map((v) => v.text)).toEqual(['one', 'two', 'three']);
    expect(m?.versions[2]?.at).toBe(T + 5001);
    expect(m?.versions[2]?.id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  });

  it('writes an edit once, never to a missing message, and to a deleted one nothing (delete wins)', () => {
    const d = doc();
    const op = {
      kind: 'edit',
      conversationId: 'cnv_x',
      messageId: id,
      text: 'three',
      versionId: uuidv7({ msecs: T }),
      at: T + 9000,
    } as const;
    expect(applyOp(d, op, 'local')).toBe(true);
    const state = Y.encodeStateVector(d);
    expect(applyOp(d, op, 'local')).toBe(true); // already there: nothing written
    expect(Y.encodeStateVector(d)).toEqual(state);
    expect(applyOp(d, { ...op, messageId: uuidv7({ msecs: T }) }, 'local')).toBe(false);
    expect(applyOp(d, { kind: 'remove', conversationId: 'cnv_x', messageId: id }, 'local')).toBe(true);
    const deleted = Y.encodeStateVector(d);
    expect(applyOp(d, { ...op, versionId: uuidv7({ msecs: T }) }, 'local')).toBe(true);
    expect(Y.encodeStateVector(d)).toEqual(deleted);
    (messagesOf(d) as Y.Map<unknown>).set('junk', 'not a message');
    expect(applyOp(d, { ...op, messageId: 'junk' }, 'local')).toBe(false);
  });
});

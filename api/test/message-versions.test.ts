import { limits, purgeDeletedText } from '@mailboat/schema';
import { createMessageV1, deleteMessageV1, editMessageV1 } from '@mailboat/schema/legacy';
import { Migrator } from 'kysely';
import { v7 as uuidv7 } from 'uuid';
import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { migrations } from '../migrations/index.js';
import { migrateToLatest } from '../src/db/migrate.js';
import { encodeGlobalId } from '../src/global-ids.js';
import { backends, type Session, type TestClient, useTestApp } from './harness.js';
import { SyncDevice } from './sync-device.js';

// A message's text is a last-writer-wins register over versions (schema/src/doc/model.ts):
// concurrent edits never mix, the later one (by `at`, then version id) is the text wherever
// it is read, the other stays in the history, and a deletion wins over any edit.

const MESSAGE = `query($id: ID!) { node(id: $id) { ... on Message {
  text editedAt deleted versions { text editedAt isCurrent device { id name } }
} } }`;
const msg = (uuid: string) => encodeGlobalId('Message', uuid);
const iso = (ms: number) => new Date(ms).toISOString();

type Where = { conversationId: string; segment: number; id: string };

/** The message as GraphQL shows it to `viewer`. */
async function graphql(client: TestClient, viewer: Session, id: string) {
  return (await client.ok(MESSAGE, { id: msg(id) }, viewer.accessToken)).node;
}

/** The message as GET /sync/messages last reported it to `viewer`, once it shows `text` (the feed may lag on a shared Postgres). */
async function rest(client: TestClient, viewer: Session, id: string, text: string) {
  let found: any;
  for (let attempt = 0; attempt < 200; attempt++) {
    found = undefined;
    for (let query = '?limit=500'; ; ) {
      const res = await client.request(`/sync/messages${query}`, { headers: { authorization: `Bearer ${viewer.accessToken}` } });
      const body = (await res.json()) as any;
      found = body.messages.find((m: any) => m.id === msg(id)) ?? found;
      if (!body.hasMore) break;
      query = `?limit=500&cursor=${body.nextCursor}`;
    }
    if (found?.text === text) return found;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  return found;
}

/** The message as a device that has never seen it reads it from the server's documents. */
async function yjs(client: TestClient, viewer: Session, w: Where) {
  const fresh = new SyncDevice(client, viewer);
  await fresh.pull([w]);
  return fresh.messages(w.conversationId, w.segment).find((m) => m.id === w.id);
}

describe.each(backends)('message versions on %s', (backend) => {
  const app = useTestApp(backend);

  /** Ana with two devices (phone, laptop) and Bo, in one conversation; Ana's message on both devices. */
  async function twoDevices(text: string) {
    const { client } = app();
    const { ana, bo, conversationId } = await client.directPair();
    const laptopSession = await client.signIn(ana.handle, ana.password, 'Laptop');
    const phone = new SyncDevice(client, ana);
    const laptop = new SyncDevice(client, laptopSession);
    const { id, segment } = phone.send(conversationId, text);
    await phone.push();
    await laptop.pull([{ conversationId, segment }]);
    return { client, ana, bo, laptopSession, phone, laptop, where: { conversationId, segment, id } };
  }

  it('converges concurrent edits from two devices to one whole edit, the later, everywhere; the other stays in the history', async () => {
    const { client, ana, bo, laptopSession, phone, laptop, where } = await twoDevices('Lunch at noon?');
    const { conversationId, segment, id } = where;
    const now = Date.now();
    const phoneAt = phone.edit(conversationId, segment, id, 'Lunch at 1pm?', now + 1000); // offline
    const laptopAt = laptop.edit(conversationId, segment, id, 'Dinner instead?', now + 2000); // offline, later
    // The later edit reaches the server first: arrival order decides nothing.
    expect((await laptop.push()).map((r) => r.status)).toEqual(['ACCEPTED']);
    expect((await phone.push()).map((r) => r.status)).toEqual(['ACCEPTED']);
    await phone.pull([{ conversationId, segment }]);
    await laptop.pull([{ conversationId, segment }]);

    const winner = 'Dinner instead?';
    for (const device of [phone, laptop]) expect(device.messages(conversationId, segment)[0]?.text).toBe(winner);
    expect((await yjs(client, bo, where))?.text).toBe(winner);
    expect((await rest(client, bo, id, winner))?.text).toBe(winner);
    const seen = await graphql(client, ana, id);
    expect(seen).toEqual({
      text: winner,
      editedAt: iso(laptopAt),
      deleted: false,
      versions: [
        { text: 'Lunch at noon?', editedAt: null, isCurrent: false, device: { id: ana.deviceId, name: 'Test phone' } },
        { text: 'Lunch at 1pm?', editedAt: iso(phoneAt), isCurrent: false, device: { id: ana.deviceId, name: 'Test phone' } },
        { text: winner, editedAt: iso(laptopAt), isCurrent: true, device: { id: laptopSession.deviceId, name: 'Laptop' } },
      ],
    });
    // Devices are the author's business: Bo sees the same history without them, in GraphQL and REST.
    const bos = await graphql(client, bo, id);
    expect(bos.versions).toEqual(seen.versions.map((v: any) => ({ ...v, device: null })));
    expect((await rest(client, bo, id, winner)).versions.map((v: any) => v.deviceId)).toEqual([null, null, null]);
    const anas = await rest(client, ana, id, winner);
    expect(anas.versions).toEqual(
      seen.versions.map((v: any) => ({ text: v.text, editedAt: v.editedAt, isCurrent: v.isCurrent, deviceId: v.device.id })),
    );
    expect(anas.editedAt).toBe(iso(laptopAt));
  });

  it('lets a deletion win over a concurrent edit: no text and no history anywhere, whichever arrives first', async () => {
    for (const deletionFirst of [false, true]) {
      const { client, ana, bo, phone, laptop, where } = await twoDevices('Delete me');
      const { conversationId, segment, id } = where;
      phone.delete(conversationId, segment, id); // offline
      laptop.edit(conversationId, segment, id, 'Keep me, edited later', Date.now() + 1000); // offline, later than the deletion
      const [first, second] = deletionFirst ? [phone, laptop] : [laptop, phone];
      expect((await first.push())[0].status).toBe('ACCEPTED');
      // Accepted in either order, so nobody is asked to undo anything: the deletion wins when read.
      expect((await second.push())[0].status).toBe('ACCEPTED');
      await phone.pull([{ conversationId, segment }]);
      await laptop.pull([{ conversationId, segment }]);
      // The author's device removes what text the edit left (the app does this when it sees both).
      expect(purgeDeletedText(laptop.doc(conversationId, segment), id, 'local')).toBe(true);
      expect((await laptop.push())[0].status).toBe('ACCEPTED');
      const fresh = new SyncDevice(client, bo);
      await fresh.pull([{ conversationId, segment }]);
      expect(new TextDecoder().decode(Y.encodeStateAsUpdate(fresh.doc(conversationId, segment)))).not.toContain('Keep me');

      const gone = { text: '', deleted: true, editedAt: null, versions: [] };
      for (const device of [phone, laptop]) expect(device.messages(conversationId, segment)[0]).toMatchObject(gone);
      expect(await yjs(client, bo, where)).toMatchObject(gone);
      expect(await graphql(client, ana, id)).toEqual(gone);
      expect(await rest(client, bo, id, '')).toMatchObject({ ...gone, change: 'deleted' });
    }
  });

  it('refuses an edit past the last version a message may keep with BAD_USER_INPUT, storing nothing', async () => {
    const { client } = app();
    const { ana, conversationId } = await client.directPair();
    const send = `mutation($input: SendMessageInput!) { sendMessage(input: $input) { id } }`;
    const edit = `mutation($input: EditMessageInput!) { editMessage(input: $input) { text versions { text } } }`;
    const { id } = (await client.ok(send, { input: { conversationId, text: 'v1' } }, ana.accessToken)).sendMessage;
    let last: any;
    for (let n = 2; n <= limits.messageVersions.max; n++) {
      last = (await client.ok(edit, { input: { messageId: id, text: `v${n}` } }, ana.accessToken)).editMessage;
    }
    expect(last.versions).toHaveLength(limits.messageVersions.max);
    const refused = await client.gql(edit, { input: { messageId: id, text: 'one more' } }, { token: ana.accessToken });
    expect([refused.errors?.[0]?.extensions?.code, refused.errors?.[0]?.extensions?.field]).toEqual(['BAD_USER_INPUT', 'messageId']);
    expect((await client.ok(MESSAGE, { id }, ana.accessToken)).node.text).toBe(`v${limits.messageVersions.max}`);
  });

  it('reads a message of the old shape the same after the upgrade, and still accepts old-shape writes from apps not yet updated', async () => {
    const { client } = app();
    const { ana, bo, conversationId } = await client.directPair();
    const oldApp = new SyncDevice(client, ana);
    const createdAt = Date.now();
    const m = { id: uuidv7(), author: ana.userId, createdAt, text: 'helo wrld' };
    const gone = { id: uuidv7(), author: ana.userId, createdAt: createdAt + 1, text: 'oops' };
    const w = { conversationId, segment: Math.floor(createdAt / 3_600_000), id: m.id };
    const doc = oldApp.doc(conversationId, w.segment);
    createMessageV1(doc, m, 'local');
    editMessageV1(doc, m.id, 'hello world', createdAt + 5, 'local');
    createMessageV1(doc, gone, 'local');
    deleteMessageV1(doc, gone.id, 'local');
    expect((await oldApp.push()).map((r) => r.status)).toEqual(['ACCEPTED', 'ACCEPTED', 'ACCEPTED', 'ACCEPTED']);

    // The upgrade: the projection loses its versions column and the migration adds and fills it again.
    const migrator = new Migrator({ db: app().deps.db, provider: { getMigrations: async () => migrations } });
    // (down to the migration before it: later migrations are undone first, and done again below)
    expect((await migrator.migrateTo('2026-12-06T0000-refresh-successor')).results?.map((r) => [r.migrationName, r.status])).toContainEqual(
      ['2026-12-07T0000-message-versions', 'Success'],
    );
    await migrateToLatest(app().deps.db);

    const shown = { text: 'hello world', editedAt: iso(createdAt + 5), deleted: false };
    expect(await graphql(client, bo, m.id)).toEqual({
      ...shown,
      versions: [{ text: 'hello world', editedAt: iso(createdAt + 5), isCurrent: true, device: null }],
    });
    expect(await rest(client, bo, m.id, 'hello world')).toMatchObject(shown);
    expect(await yjs(client, bo, w)).toMatchObject({ ...shown, editedAt: createdAt + 5 });
    expect(await graphql(client, bo, gone.id)).toEqual({ text: '', editedAt: null, deleted: true, versions: [] });

    // An app not yet updated edits and creates the old way; an updated one edits the new way.
    editMessageV1(doc, m.id, 'hello, world', createdAt + 10, 'local');
    const later = { id: uuidv7(), author: ana.userId, createdAt: createdAt + 2, text: 'still on the old app' };
    createMessageV1(doc, later, 'local');
    expect((await oldApp.push()).map((r) => r.status)).toEqual(['ACCEPTED', 'ACCEPTED']);
    expect((await graphql(client, ana, m.id)).text).toBe('hello, world');
    expect((await graphql(client, ana, later.id)).text).toBe('still on the old app');
    const newApp = new SyncDevice(client, ana);
    await newApp.pull([w]);
    const at = newApp.edit(conversationId, w.segment, m.id, 'Hello, world!');
    expect((await newApp.push())[0].status).toBe('ACCEPTED');
    const history = await graphql(client, ana, m.id);
    expect(history).toMatchObject({ text: 'Hello, world!', editedAt: iso(at) });
    expect(history.versions.map((v: any) => [v.text, v.editedAt, v.isCurrent, v.device?.id])).toEqual([
      ['hello, world', iso(createdAt + 10), false, ana.deviceId],
      ['Hello, world!', iso(at), true, ana.deviceId],
    ]);
    expect((await yjs(client, bo, w))?.text).toBe('Hello, world!');
    expect((await rest(client, bo, m.id, 'Hello, world!'))?.text).toBe('Hello, world!');
  });
});

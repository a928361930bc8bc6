import { SEGMENT_MS } from '@mailboat/schema';
import { createMessageV1 } from '@mailboat/schema/legacy';
import { sql } from 'kysely';
import { v7 as uuidv7 } from 'uuid';
import { describe, expect, it } from 'vitest';
import { acceptedTexts, refusedTexts } from '../../schema/test/hostile-text.js';
import { backends, type GqlResult, useTestApp } from './harness.js';
import { SyncDevice } from './sync-device.js';

// One set of text rules through every door: a text refused by schema/src/text.ts is refused by
// GraphQL (BAD_USER_INPUT naming `text`, never a 500) and by the Yjs write rules
// (FORBIDDEN_UPDATE), and nothing of it is stored; an acceptable one passes all of them as is.

const SEND = `mutation($input: SendMessageInput!) { sendMessage(input: $input) { id text segment } }`;
const EDIT = `mutation($input: EditMessageInput!) { editMessage(input: $input) { id text } }`;
const TEXT = `query($id: ID!) { node(id: $id) { ... on Message { text versions { text } } } }`;

const refusal = (r: GqlResult) => [r.status, r.errors?.[0]?.extensions?.code, r.errors?.[0]?.extensions?.field];
const uuidOf = (globalId: string) => globalId.slice(4).replace(/^(.{8})(.{4})(.{4})(.{4})(.{12})$/, '$1-$2-$3-$4-$5');

describe.each(backends)('hostile message text on %s', (backend) => {
  const app = useTestApp(backend);

  /** How many updates were ever stored, and what the projection holds of these conversations. */
  const stored = async (conversationId: string) => {
    const db = app().deps.db;
    const updates = (await sql<{ n: string | null }>`select sum(last_seq) as n from segments`.execute(db)).rows[0]?.n;
    const rows = await db
      .selectFrom('messages')
      .select(['id', 'text', 'versions'])
      .where('conversation_id', '=', uuidOf(conversationId))
      .execute();
    return { updates: Number(updates ?? 0), rows: rows.sort((a, b) => (a.id < b.id ? -1 : 1)) };
  };

  it('refuses each through GraphQL sendMessage and editMessage with BAD_USER_INPUT on text, storing nothing', async () => {
    const { client } = app();
    const { ana, conversationId } = await client.directPair();
    const token = { token: ana.accessToken };
    const sent = (await client.ok(SEND, { input: { conversationId, text: 'fine' } }, ana.accessToken)).sendMessage;
    const before = await stored(conversationId);
    for (const { name, text } of refusedTexts) {
      const send = await client.gql(SEND, { input: { conversationId, text } }, token);
      expect(refusal(send), `send ${name}`).toEqual([200, 'BAD_USER_INPUT', 'text']);
      expect(send.errors?.[0]?.message, name).not.toMatch(/unexpected|internal/i);
      const edit = await client.gql(EDIT, { input: { messageId: sent.id, text } }, token);
      expect(refusal(edit), `edit ${name}`).toEqual([200, 'BAD_USER_INPUT', 'text']);
    }
    expect(await stored(conversationId)).toEqual(before);
    expect((await client.ok(TEXT, { id: sent.id }, ana.accessToken)).node).toEqual({ text: 'fine', versions: [{ text: 'fine' }] });
  });

  it('accepts each acceptable text through GraphQL, stored and shown exactly as written', async () => {
    const { client } = app();
    const { ana, conversationId } = await client.directPair();
    const sent = (await client.ok(SEND, { input: { conversationId, text: 'to edit' } }, ana.accessToken)).sendMessage;
    for (const { name, text } of acceptedTexts) {
      expect((await client.ok(SEND, { input: { conversationId, text } }, ana.accessToken)).sendMessage.text, name).toBe(text);
      expect((await client.ok(EDIT, { input: { messageId: sent.id, text } }, ana.accessToken)).editMessage.text, name).toBe(text);
    }
  });

  it('refuses each in a pushed Yjs creation, a pushed edit and (control characters) an old-shape creation, storing nothing', async () => {
    const { client } = app();
    const { ana, conversationId } = await client.directPair();
    const phone = new SyncDevice(client, ana);
    const { id, segment } = phone.send(conversationId, 'fine');
    expect((await phone.push())[0].status).toBe('ACCEPTED');
    const before = await stored(conversationId);
    for (const { name, text, kind, travelsInYjs } of refusedTexts) {
      if (!travelsInYjs) continue; // see the next test
      const writes: [string, (d: SyncDevice) => void][] = [
        ['creation', (d) => d.send(conversationId, text, Date.now())],
        ['edit', (d) => d.edit(conversationId, segment, id, text)],
      ];
      if (kind === 'control' || kind === 'bidi' || kind === 'length') {
        writes.push([
          'old-shape creation',
          (d) => createMessageV1(d.doc(conversationId, segment), newMessage(ana.userId, text, segment), 'local'),
        ]);
      }
      for (const [what, write] of writes) {
        const device = new SyncDevice(client, ana); // a fresh client ID: a refused update leaves its writer's document behind
        await device.pull([{ conversationId, segment }]);
        write(device);
        const [result] = await device.push();
        expect([result.status, result.error?.code], `${what} of ${name}`).toEqual(['REFUSED', 'FORBIDDEN_UPDATE']);
        expect(result.error.message, `${what} of ${name}`).toMatch(/text/); // refused for its text, not for something else
      }
    }
    expect(await stored(conversationId)).toEqual(before);
  });

  it('never lets a lone surrogate reach the server through Yjs: the update carries U+FFFD instead', async () => {
    const { client } = app();
    const { ana, conversationId } = await client.directPair();
    for (const { name, text } of refusedTexts.filter((c) => !c.travelsInYjs)) {
      const device = new SyncDevice(client, ana);
      const { id } = device.send(conversationId, text);
      expect((await device.push())[0].status, name).toBe('ACCEPTED');
      const row = await app().deps.db.selectFrom('messages').select('text').where('id', '=', id).executeTakeFirstOrThrow();
      expect(row.text, name).toBe(text.replace(/[\ud800-\udfff]/, '\ufffd'));
    }
  });

  it('accepts each acceptable text in a pushed Yjs creation and edit', async () => {
    const { client } = app();
    const { ana, conversationId } = await client.directPair();
    const phone = new SyncDevice(client, ana);
    const { id, segment } = phone.send(conversationId, 'to edit');
    await phone.push();
    for (const { name, text } of acceptedTexts) {
      const created = phone.send(conversationId, text, Date.now());
      phone.edit(conversationId, segment, id, text);
      expect(
        (await phone.push()).map((r) => r.status),
        name,
      ).toEqual(['ACCEPTED', 'ACCEPTED']);
      const row = await app().deps.db.selectFrom('messages').select('text').where('id', '=', created.id).executeTakeFirstOrThrow();
      expect(row.text, name).toBe(text);
    }
  });
});

/** A new message dated now, or at the end of `segment` when the hour has turned since. */
function newMessage(author: string, text: string, segment: number) {
  return { id: uuidv7(), author, createdAt: Math.min(Date.now(), (segment + 1) * SEGMENT_MS - 1), text };
}

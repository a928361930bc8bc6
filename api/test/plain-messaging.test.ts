import { compareMessages, createMessage, segmentOf } from '@mailboat/schema';
import { sql } from 'kysely';
import { v4 as uuidv4, v7 as uuidv7 } from 'uuid';
import { describe, expect, it } from 'vitest';
import { encodeGlobalId } from '../src/global-ids.js';
import { backends, type GqlResult, type Session, type SseReader, type TestClient, useTestApp } from './harness.js';
import { SyncDevice } from './sync-device.js';

const FIELDS = 'id text createdAt editedAt deleted replyTo segment author { id } conversation { id } reactions { userId emoji }';
const SEND = `mutation($input: SendMessageInput!) { sendMessage(input: $input) { ${FIELDS} } }`;
const EDIT = `mutation($input: EditMessageInput!) { editMessage(input: $input) { ${FIELDS} } }`;
const DELETE = `mutation($id: ID!) { deleteMessage(messageId: $id) { ${FIELDS} } }`;
const REACT = `mutation($input: ReactToMessageInput!) { reactToMessage(input: $input) { ${FIELDS} } }`;
const MESSAGES = `query($id: ID!, $first: Int, $after: String, $last: Int, $before: String) {
  conversation(id: $id) { messages(first: $first, after: $after, last: $last, before: $before) {
    edges { cursor node { ${FIELDS} } }
    pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
  } }
}`;
const VERSIONS = `query($id: ID!) { node(id: $id) { ... on Message { versions { text } } } }`;
const EVENTS = `subscription { events { __typename ... on SegmentUpdatedEvent { conversationId segment update } } }`;

const code = (r: GqlResult) => r.errors?.[0]?.extensions?.code;
const field = (r: GqlResult) => r.errors?.[0]?.extensions?.field;
/** The UUID inside a global ID (for a message: its key in the Yjs document). */
const uuidOf = (globalId: string) => globalId.slice(4).replace(/^(.{8})(.{4})(.{4})(.{4})(.{12})$/, '$1-$2-$3-$4-$5');
const globalIdOf = (prefix: 'msg' | 'dev', uuid: string) => encodeGlobalId(prefix === 'msg' ? 'Message' : 'Device', uuid);
const messageIdOf = (uuid: string) => globalIdOf('msg', uuid);

async function nextUpdate(reader: SseReader) {
  for (;;) {
    const m = await reader.next(3000);
    const e = m.data?.data?.events;
    if (m.event === 'end' || e?.__typename === 'SegmentUpdatedEvent') return e;
  }
}

describe.each(backends)('plain messaging on %s', (backend) => {
  const app = useTestApp(backend);

  const pair = () => app().client.directPair();

  async function send(client: TestClient, s: Session, conversationId: string, text: string, extra: Record<string, unknown> = {}) {
    return (await client.ok(SEND, { input: { conversationId, text, ...extra } }, s.accessToken)).sendMessage;
  }

  async function page(client: TestClient, s: Session, id: string, args: Record<string, unknown> = { first: 100 }) {
    return (await client.ok(MESSAGES, { id, ...args }, s.accessToken)).conversation.messages;
  }

  async function listed(client: TestClient, s: Session, id: string) {
    return (await page(client, s, id)).edges.map((e: any) => e.node);
  }

  /** How many updates were ever stored (segments' sequence numbers, which compaction leaves alone). */
  const storedUpdates = async () =>
    Number((await sql<{ n: string | null }>`select sum(last_seq) as n from segments`.execute(app().deps.db)).rows[0]?.n ?? 0);

  it('sends, edits, reacts and deletes through GraphQL, each answering with the committed message', async () => {
    const { client, ana, bo, conversationId } = await pair();
    const sent = await send(client, ana, conversationId, '  hello bo\nhow are you?  ');
    expect(sent).toMatchObject({
      text: 'hello bo\nhow are you?',
      editedAt: null,
      deleted: false,
      replyTo: null,
      author: { id: ana.userId },
      conversation: { id: conversationId },
      reactions: [],
      segment: segmentOf(Date.parse(sent.createdAt)),
    });
    expect(sent.id).toMatch(/^msg_[0-9a-f]{12}7[0-9a-f]{19}$/); // a UUID v7

    const edited = (await client.ok(EDIT, { input: { messageId: sent.id, text: 'hello bo!' } }, ana.accessToken)).editMessage;
    expect(edited).toMatchObject({ id: sent.id, text: 'hello bo!', createdAt: sent.createdAt });
    expect(Date.parse(edited.editedAt)).toBeGreaterThanOrEqual(Date.parse(sent.createdAt));

    const reacted = (await client.ok(REACT, { input: { messageId: sent.id, emoji: '👍' } }, bo.accessToken)).reactToMessage;
    expect(reacted.reactions).toEqual([{ userId: bo.userId, emoji: '👍' }]);
    const changed = (await client.ok(REACT, { input: { messageId: sent.id, emoji: '❤️' } }, bo.accessToken)).reactToMessage;
    expect(changed.reactions).toEqual([{ userId: bo.userId, emoji: '❤️' }]);
    const removed = (await client.ok(REACT, { input: { messageId: sent.id, emoji: null } }, bo.accessToken)).reactToMessage;
    expect(removed.reactions).toEqual([]);

    const deleted = (await client.ok(DELETE, { id: sent.id }, ana.accessToken)).deleteMessage;
    expect(deleted).toMatchObject({ id: sent.id, deleted: true, text: '' });
    expect(await listed(client, bo, conversationId)).toEqual([deleted]);
  });

  it('writes nothing when a change would change nothing', async () => {
    const { client, ana, conversationId } = await pair();
    const sent = await send(client, ana, conversationId, 'same');
    const before = await storedUpdates();
    const edited = (await client.ok(EDIT, { input: { messageId: sent.id, text: ' same ' } }, ana.accessToken)).editMessage;
    expect(edited).toEqual(sent);
    await client.ok(REACT, { input: { messageId: sent.id, emoji: null } }, ana.accessToken);
    expect(await storedUpdates()).toBe(before);
    await client.ok(DELETE, { id: sent.id }, ana.accessToken);
    await client.ok(DELETE, { id: sent.id }, ana.accessToken);
    expect(await storedUpdates()).toBe(before + 1);
  });

  it('writes real Yjs updates: a Yjs device sees the plain messages, edits and reactions, live and by pulling', async () => {
    const { client, ana, bo, conversationId } = await pair();
    const boEvents = await client.subscribe(EVENTS, bo.accessToken);
    const sent = await send(client, ana, conversationId, 'from a plain client');
    const live = await nextUpdate(boEvents);
    boEvents.close();
    const phone = new SyncDevice(client, bo);
    phone.receive(conversationId, sent.segment, live.update);
    expect(phone.messages(conversationId, sent.segment).map((m) => m.text)).toEqual(['from a plain client']);

    const edited = (await client.ok(EDIT, { input: { messageId: sent.id, text: 'edited by a plain client' } }, ana.accessToken))
      .editMessage;
    await client.ok(REACT, { input: { messageId: sent.id, emoji: '🎉' } }, bo.accessToken);
    await phone.pull([{ conversationId, segment: sent.segment }]);
    const createdAt = Date.parse(sent.createdAt);
    const editedAt = Date.parse(edited.editedAt);
    expect(editedAt).toBeGreaterThan(createdAt);
    expect(phone.messages(conversationId, sent.segment)).toEqual([
      {
        id: uuidOf(sent.id),
        author: ana.userId,
        createdAt,
        text: 'edited by a plain client',
        replyTo: null,
        editedAt,
        deleted: false,
        reactions: { [bo.userId]: '🎉' },
        attachments: [],
        versions: [
          { id: uuidOf(sent.id), text: 'from a plain client', at: createdAt, client: expect.any(Number) },
          {
            id: expect.stringMatching(/^[0-9a-f]{8}-[0-9a-f]{4}-7/),
            text: 'edited by a plain client',
            at: editedAt,
            client: expect.any(Number),
          },
        ],
      },
    ]);

    // Each server-written update used a fresh Yjs client ID, bound to the device that asked for it.
    const owners = await app()
      .deps.db.selectFrom('segment_clients')
      .select(['client_id', 'device_id'])
      .where('conversation_id', '=', uuidOf(conversationId))
      .execute();
    expect(owners).toHaveLength(3);
    expect(new Set(owners.map((o) => o.client_id)).size).toBe(3);
    const devices = owners.map((o) => globalIdOf('dev', o.device_id)).sort();
    expect(devices).toEqual([ana.deviceId, ana.deviceId, bo.deviceId].sort());
  });

  it("shows Yjs devices' messages to plain clients, and lets the author edit them without Yjs", async () => {
    const { client, ana, bo, conversationId } = await pair();
    const phone = new SyncDevice(client, bo);
    const { id, segment } = phone.send(conversationId, 'typed on a Yjs phone');
    await phone.push();
    const [message] = await listed(client, ana, conversationId);
    expect(message).toMatchObject({ id: messageIdOf(id), text: 'typed on a Yjs phone', author: { id: bo.userId }, segment });

    await client.ok(EDIT, { input: { messageId: message.id, text: 'typed on a Yjs phone, fixed on the web' } }, bo.accessToken);
    phone.edit(conversationId, segment, id, 'typed on a Yjs phone!', Date.now() + 1000); // concurrently, offline, and later
    await phone.push();
    await phone.pull([{ conversationId, segment }]);
    const merged = phone.messages(conversationId, segment)[0]?.text;
    expect(merged).toBe('typed on a Yjs phone!'); // the later edit, whole: edits never mix
    const [seen] = await listed(client, ana, conversationId);
    expect(seen.text).toBe(merged);
    const history = (await client.ok(VERSIONS, { id: message.id }, bo.accessToken)).node.versions.map((v: any) => v.text);
    expect(history).toEqual(['typed on a Yjs phone', 'typed on a Yjs phone, fixed on the web', 'typed on a Yjs phone!']);
  });

  it('sorts a reply after what it answers, even when that was written by a clock running ahead', async () => {
    const { client, ana, bo, conversationId } = await pair();
    const phone = new SyncDevice(client, bo);
    const ahead = Date.now() + 2 * 60_000;
    const { id } = phone.send(conversationId, 'from the future', ahead);
    expect((await phone.push())[0].status).toBe('ACCEPTED');
    const reply = await send(client, ana, conversationId, 'answer', { replyTo: messageIdOf(id) });
    expect(reply.replyTo).toBe(messageIdOf(id));
    expect(Date.parse(reply.createdAt)).toBeGreaterThan(ahead);
    expect((await listed(client, ana, conversationId)).map((m: any) => m.text)).toEqual(['from the future', 'answer']);
  });

  it('sends once however often it is retried with the same clientMessageId', async () => {
    const { client, ana, conversationId } = await pair();
    const clientMessageId = uuidv7();
    const first = await send(client, ana, conversationId, 'only once', { clientMessageId });
    expect(first.id).toBe(messageIdOf(clientMessageId));
    const updates = await storedUpdates();
    const retry = await send(client, ana, conversationId, 'only once (retry)', { clientMessageId });
    expect(retry).toEqual(first);
    expect(await send(client, ana, conversationId, 'only once', { clientMessageId: first.id })).toEqual(first);
    expect(await storedUpdates()).toBe(updates);

    const racing = uuidv7();
    const results = await Promise.all([1, 2, 3].map(() => send(client, ana, conversationId, 'raced', { clientMessageId: racing })));
    expect(new Set(results.map((r) => JSON.stringify(r))).size).toBe(1);
    expect((await listed(client, ana, conversationId)).map((m: any) => m.text)).toEqual(['only once', 'raced']);
    expect(await storedUpdates()).toBe(updates + 1);
  });

  it('refuses a clientMessageId that is not a UUID v7 or belongs to another message', async () => {
    const { client, ana, bo, conversationId } = await pair();
    const v4 = await client.gql(SEND, { input: { conversationId, text: 'x', clientMessageId: uuidv4() } }, { token: ana.accessToken });
    expect([code(v4), field(v4)]).toEqual(['BAD_USER_INPUT', 'clientMessageId']);
    const bos = await send(client, bo, conversationId, 'mine');
    const taken = await client.gql(SEND, { input: { conversationId, text: 'x', clientMessageId: bos.id } }, { token: ana.accessToken });
    expect([code(taken), field(taken)]).toEqual(['BAD_USER_INPUT', 'clientMessageId']);
    // The same answer as for a malformed id: nothing tells whether an id is in use elsewhere.
    expect(taken.errors?.[0]?.message).toBe(v4.errors?.[0]?.message);
    expect(await listed(client, ana, conversationId)).toEqual([bos]);
  });

  it("refuses to edit or delete someone else's message with FORBIDDEN, changing nothing", async () => {
    const { client, ana, bo, conversationId } = await pair();
    const sent = await send(client, ana, conversationId, 'mine');
    const before = await storedUpdates();
    const edit = await client.gql(EDIT, { input: { messageId: sent.id, text: 'yours now' } }, { token: bo.accessToken });
    expect(code(edit)).toBe('FORBIDDEN');
    const del = await client.gql(DELETE, { id: sent.id }, { token: bo.accessToken });
    expect(code(del)).toBe('FORBIDDEN');
    expect(await storedUpdates()).toBe(before);
    expect(await listed(client, bo, conversationId)).toEqual([sent]);
  });

  it('answers NOT_FOUND to non-members, for the conversation and for its messages', async () => {
    const { client, ana, conversationId } = await pair();
    const eve = await client.signUp('eve');
    const sent = await send(client, ana, conversationId, 'private');
    const before = await storedUpdates();
    const attempts = [
      await client.gql(SEND, { input: { conversationId, text: 'let me in' } }, { token: eve.accessToken }),
      await client.gql(EDIT, { input: { messageId: sent.id, text: 'x' } }, { token: eve.accessToken }),
      await client.gql(DELETE, { id: sent.id }, { token: eve.accessToken }),
      await client.gql(REACT, { input: { messageId: sent.id, emoji: '👀' } }, { token: eve.accessToken }),
      await client.gql(EDIT, { input: { messageId: messageIdOf(uuidv7()), text: 'x' } }, { token: ana.accessToken }),
    ];
    expect(attempts.map(code)).toEqual(['NOT_FOUND', 'NOT_FOUND', 'NOT_FOUND', 'NOT_FOUND', 'NOT_FOUND']);
    expect((await client.ok(MESSAGES, { id: conversationId, first: 10 }, eve.accessToken)).conversation).toBeNull();
    expect(await storedUpdates()).toBe(before);
  });

  it('refuses bad input with BAD_USER_INPUT naming the field, changing nothing', async () => {
    const { client, ana, bo, conversationId } = await pair();
    const sent = await send(client, ana, conversationId, 'hi');
    const elsewhere = await send(client, ana, await client.createGroup(ana, [bo], 'Elsewhere'), 'elsewhere');
    const before = await storedUpdates();
    const token = { token: ana.accessToken };
    const cases: [GqlResult, string][] = [
      [await client.gql(SEND, { input: { conversationId, text: '  \n ' } }, token), 'text'],
      [await client.gql(SEND, { input: { conversationId, text: 'x'.repeat(10_001) } }, token), 'text'],
      [await client.gql(SEND, { input: { conversationId, text: 'a\u0000b' } }, token), 'text'],
      [await client.gql(SEND, { input: { conversationId, text: 'x', replyTo: elsewhere.id } }, token), 'replyTo'],
      [await client.gql(SEND, { input: { conversationId: sent.id, text: 'x' } }, token), 'conversationId'],
      [await client.gql(EDIT, { input: { messageId: sent.id, text: '' } }, token), 'text'],
      [await client.gql(REACT, { input: { messageId: sent.id, emoji: 'ok' } }, token), 'emoji'],
      [await client.gql(REACT, { input: { messageId: sent.id, emoji: '👍👍' } }, token), 'emoji'],
    ];
    expect(cases.map(([r]) => [code(r), field(r)])).toEqual(cases.map(([, f]) => ['BAD_USER_INPUT', f]));
    expect(await storedUpdates()).toBe(before);
    expect(await send(client, ana, conversationId, 'x'.repeat(10_000))).toMatchObject({ text: 'x'.repeat(10_000) });
  });

  it('lists messages in (createdAt, id) order, whoever wrote them and however they arrived', async () => {
    const { client, ana, bo, conversationId } = await pair();
    const phone = new SyncDevice(client, bo);
    const at = Date.now() - 60_000;
    const segment = segmentOf(at);
    const ids = [uuidv7(), uuidv7(), uuidv7()].reverse(); // written in the reverse of id order
    for (const id of ids) createMessage(phone.doc(conversationId, segment), { id, author: bo.userId, createdAt: at, text: id }, 'local');
    createMessage(phone.doc(conversationId, segment), { id: uuidv7(), author: bo.userId, createdAt: at - 1, text: 'earlier' }, 'local');
    await phone.push();
    await send(client, ana, conversationId, 'latest');
    const messages = await listed(client, ana, conversationId);
    expect(messages.map((m: any) => m.text)).toEqual(['earlier', ...[...ids].sort(), 'latest']);
    const keys = messages.map((m: any) => ({ createdAt: Date.parse(m.createdAt), id: uuidOf(m.id) }));
    expect([...keys].sort(compareMessages)).toEqual(keys);
  });

  it('pages forwards from the oldest and backwards from the newest', async () => {
    const { client, ana, conversationId } = await pair();
    for (const text of ['1', '2', '3', '4', '5']) await send(client, ana, conversationId, text);
    const texts = (p: any) => p.edges.map((e: any) => e.node.text);

    const first = await page(client, ana, conversationId, { first: 2 });
    expect([texts(first), first.pageInfo.hasNextPage]).toEqual([['1', '2'], true]);
    const second = await page(client, ana, conversationId, { first: 2, after: first.pageInfo.endCursor });
    expect(texts(second)).toEqual(['3', '4']);
    const third = await page(client, ana, conversationId, { first: 2, after: second.pageInfo.endCursor });
    expect([texts(third), third.pageInfo.hasNextPage]).toEqual([['5'], false]);

    const newest = await page(client, ana, conversationId, { last: 2 });
    expect([texts(newest), newest.pageInfo.hasPreviousPage]).toEqual([['4', '5'], true]);
    const older = await page(client, ana, conversationId, { last: 2, before: newest.pageInfo.startCursor });
    expect(texts(older)).toEqual(['2', '3']);
    const oldest = await page(client, ana, conversationId, { last: 2, before: older.pageInfo.startCursor });
    expect([texts(oldest), oldest.pageInfo.hasPreviousPage]).toEqual([['1'], false]);

    const bad = await client.gql(MESSAGES, { id: conversationId, first: 2, after: 'not-a-cursor' }, { token: ana.accessToken });
    expect(code(bad)).toBe('BAD_USER_INPUT');
  });
});

import { createMessage, segmentOf } from '@mailboat/schema';
import { sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { encodeGlobalId } from '../src/global-ids.js';
import { backends, nextEvent, type Session, type SseReader, useTestApp } from './harness.js';
import { b64, DIFFS, PUSH, SyncDevice } from './sync-device.js';

const EVENTS = `subscription { events { __typename ... on SegmentUpdatedEvent { conversationId segment update } } }`;

const nextUpdate = (reader: SseReader, timeoutMs = 3000) => nextEvent(reader, 'SegmentUpdatedEvent', timeoutMs);

describe.each(backends)('syncing conversation documents on %s', (backend) => {
  const app = useTestApp(backend);

  const pair = () => app().client.directPair();

  const storedUpdates = async () =>
    Number((await sql<{ n: string }>`select count(*) as n from segment_updates`.execute(app().deps.db)).rows[0]?.n);

  it('stores a pushed message, answers after commit, and hands other devices exactly the diff', async () => {
    const { client, ana, bo, conversationId } = await pair();
    const phone = new SyncDevice(client, ana);
    const { id, segment } = phone.send(conversationId, 'hello bo');
    const results = await phone.push();
    expect(results).toEqual([{ conversationId, segment, status: 'ACCEPTED', error: null }]);

    const bos = new SyncDevice(client, bo);
    const [bytes] = await bos.pull([{ conversationId, segment }]);
    expect(bos.messages(conversationId, segment)).toMatchObject([{ id, author: ana.userId, text: 'hello bo' }]);
    const [again] = await bos.pull([{ conversationId, segment }]);
    expect(again).toBeLessThan(bytes as number);
    expect(again).toBeLessThanOrEqual(2); // an empty Yjs update
  });

  it('treats the same update pushed again as harmless and stores nothing new', async () => {
    const { client, ana, conversationId } = await pair();
    const phone = new SyncDevice(client, ana);
    phone.send(conversationId, 'once');
    const pending = [...phone.outbox];
    await phone.push();
    const before = await storedUpdates();
    const results = await phone.push([...pending, ...pending]);
    expect(results.map((r) => r.status)).toEqual(['DUPLICATE', 'DUPLICATE']);
    expect(await storedUpdates()).toBe(before);
  });

  it('streams accepted updates to the other members, not back to the writer', async () => {
    const { client, ana, bo, conversationId } = await pair();
    const boEvents = await client.subscribe(EVENTS, bo.accessToken);
    const anaEvents = await client.subscribe(EVENTS, ana.accessToken);
    const phone = new SyncDevice(client, ana);
    const { id, segment } = phone.send(conversationId, 'live');
    await phone.push();
    const event = await nextUpdate(boEvents);
    expect(event).toMatchObject({ conversationId, segment });
    const bos = new SyncDevice(client, bo);
    bos.receive(conversationId, segment, event.update);
    expect(bos.messages(conversationId, segment).map((m) => m.id)).toEqual([id]);
    await expect(nextUpdate(anaEvents, 300)).rejects.toThrow(/timed out/);
    boEvents.close();
    anaEvents.close();
  });

  it("refuses an edit of someone else's message: nothing stored, nothing broadcast", async () => {
    const { client, ana, bo, conversationId } = await pair();
    const phone = new SyncDevice(client, ana);
    const { id, segment } = phone.send(conversationId, 'mine');
    await phone.push();
    const bos = new SyncDevice(client, bo);
    await bos.pull([{ conversationId, segment }]);
    const anaEvents = await client.subscribe(EVENTS, ana.accessToken);
    const before = await storedUpdates();
    bos.edit(conversationId, segment, id, 'yours now');
    const [result] = await bos.push();
    expect(result.status).toBe('REFUSED');
    expect(result.error.code).toBe('FORBIDDEN_UPDATE');
    expect(await storedUpdates()).toBe(before);
    await expect(nextUpdate(anaEvents, 300)).rejects.toThrow(/timed out/);
    const fresh = new SyncDevice(client, bo);
    await fresh.pull([{ conversationId, segment }]);
    expect(fresh.messages(conversationId, segment)[0]?.text).toBe('mine');
    anaEvents.close();
  });

  it('refuses a Yjs client ID already used by another device', async () => {
    const { client, ana, conversationId } = await pair();
    const phone = new SyncDevice(client, ana);
    const { segment } = phone.send(conversationId, 'from the phone');
    await phone.push();
    const laptopSession: Session = await client.signIn(ana.handle, ana.password, 'Laptop');
    const laptop = new SyncDevice(client, laptopSession);
    await laptop.pull([{ conversationId, segment }]);
    laptop.doc(conversationId, segment).clientID = phone.doc(conversationId, segment).clientID;
    laptop.send(conversationId, 'impostor');
    const [result] = await laptop.push();
    expect(result.error?.code).toBe('FORBIDDEN_UPDATE');
  });

  it('asks for a resync when an update builds on one the server lacks, then accepts both in order', async () => {
    const { client, ana, conversationId } = await pair();
    const phone = new SyncDevice(client, ana);
    const { id, segment } = phone.send(conversationId, 'first');
    const [first] = phone.outbox.splice(0);
    phone.edit(conversationId, segment, id, 'first, edited');
    const [edit] = phone.outbox.splice(0);
    const [missing] = await phone.push([edit!]);
    expect(missing.status).toBe('REFUSED');
    expect(missing.error.code).toBe('MISSING_DEPENDENCIES');
    expect(Y.decodeStateVector(Buffer.from(missing.error.stateVector, 'base64')).size).toBe(0);
    const results = await phone.push([first!, edit!]);
    expect(results.map((r) => r.status)).toEqual(['ACCEPTED', 'ACCEPTED']);
    const other = new SyncDevice(client, ana);
    await other.pull([{ conversationId, segment }]);
    expect(other.messages(conversationId, segment)[0]?.text).toBe('first, edited');
  });

  it("refuses a new message that reuses another conversation's message id, leaving the original intact", async () => {
    const { client, ana, bo, conversationId } = await pair();
    const phone = new SyncDevice(client, ana);
    const { id, segment } = phone.send(conversationId, 'I owe nobody anything');
    await phone.push();
    const eve = await client.signUp('eve');
    const { openDirectConversation } = await client.ok(
      'mutation($u: ID!) { openDirectConversation(userId: $u) { id } }',
      { u: eve.userId },
      bo.accessToken,
    );
    const bos = new SyncDevice(client, bo);
    const later = Date.now();
    createMessage(
      bos.doc(openDirectConversation.id, segmentOf(later)),
      { id, author: bo.userId, createdAt: later, text: 'I owe bo $1000' },
      'local',
    );
    const [result] = await bos.push();
    expect(result.error?.code).toBe('FORBIDDEN_UPDATE');
    const row = await app()
      .deps.db.selectFrom('messages')
      .select(['text', 'conversation_id'])
      .where('id', '=', id)
      .executeTakeFirstOrThrow();
    expect(row.text).toBe('I owe nobody anything');
    expect(encodeGlobalId('Conversation', row.conversation_id)).toBe(conversationId);
    const fresh = new SyncDevice(client, ana);
    await fresh.pull([{ conversationId, segment }]);
    expect(fresh.messages(conversationId, segment)[0]?.text).toBe('I owe nobody anything');
  });

  it('keeps non-members out: no push, no read', async () => {
    const { client, conversationId } = await pair();
    const eve = await client.signUp('eve');
    const intruder = new SyncDevice(client, eve);
    const { segment } = intruder.send(conversationId, 'let me in');
    const [result] = await intruder.push();
    expect(result.error.code).toBe('NOT_FOUND');
    const read = await client.gql(DIFFS, { segments: [{ conversationId, segment }] }, { token: eve.accessToken });
    expect(read.errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
  });

  it('refuses pushes from a revoked device with DEVICE_REVOKED', async () => {
    const { client, ana, conversationId } = await pair();
    const laptopSession = await client.signIn(ana.handle, ana.password, 'Lost laptop');
    await client.ok('mutation($id: ID!) { revokeDevice(id: $id) { id } }', { id: laptopSession.deviceId }, ana.accessToken);
    const laptop = new SyncDevice(client, laptopSession);
    laptop.send(conversationId, 'from beyond');
    const r = await client.gql(
      PUSH,
      { updates: laptop.outbox.map((u) => ({ ...u, update: b64(u.update) })) },
      { token: laptopSession.accessToken },
    );
    expect(r.errors?.[0]?.extensions?.code).toBe('DEVICE_REVOKED');
  });

  it('refuses garbage bytes with MALFORMED_UPDATE and bad base64 with BAD_USER_INPUT', async () => {
    const { client, ana, conversationId } = await pair();
    const segment = segmentOf(Date.now());
    const garbage = await client.ok(
      PUSH,
      { updates: [{ conversationId, segment, update: b64(new Uint8Array([1, 2, 3, 250, 250])) }] },
      ana.accessToken,
    );
    expect(garbage.pushUpdates.results[0].error.code).toMatch(/MALFORMED_UPDATE|MISSING_DEPENDENCIES/);
    const bad = await client.gql(PUSH, { updates: [{ conversationId, segment, update: '***' }] }, { token: ana.accessToken });
    expect(bad.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
  });

  it('lists segments newest first, so a device can page back through history', async () => {
    const { client, ana, conversationId } = await pair();
    await client.backdate(conversationId, 3 * 3_600_000);
    const phone = new SyncDevice(client, ana);
    const now = Date.now();
    phone.send(conversationId, 'two hours ago', now - 2 * 3_600_000);
    phone.send(conversationId, 'an hour ago', now - 3_600_000);
    phone.send(conversationId, 'now', now);
    expect((await phone.push()).map((r) => r.status)).toEqual(['ACCEPTED', 'ACCEPTED', 'ACCEPTED']);
    const q = `query($id: ID!, $after: String) { conversation(id: $id) { segments(first: 2, after: $after) {
      edges { node { number messageCount } } pageInfo { hasNextPage endCursor } } } }`;
    const first = await client.ok(q, { id: conversationId }, ana.accessToken);
    const numbers = first.conversation.segments.edges.map((e: any) => e.node.number);
    expect(numbers).toEqual([segmentOf(now), segmentOf(now) - 1]);
    const second = await client.ok(q, { id: conversationId, after: first.conversation.segments.pageInfo.endCursor }, ana.accessToken);
    expect(second.conversation.segments.edges.map((e: any) => e.node.number)).toEqual([segmentOf(now) - 2]);
  });
});

import { createMessage, listMessages, segmentOf } from '@mailboat/schema';
import { sql } from 'kysely';
import { v7 as uuidv7 } from 'uuid';
import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { decodeGlobalId } from '../src/global-ids.js';
import { type PushItem, pushUpdates } from '../src/sync/push/push-service.js';
import type { Viewer } from '../src/viewer.js';
import { backends, type Session, type SseReader, useTestApp } from './harness.js';
import { EVENTS, SyncDevice } from './sync-device.js';

/**
 * Concurrent pushes share transactions (group commit). These call the push service directly,
 * all in the same turn of the event loop, so they land in one group; each must still get
 * exactly the outcome it would have had alone, and a bad update must cost its neighbours nothing.
 */

const rawId = (globalId: string) => decodeGlobalId(globalId).id;
const viewerOf = (s: Session): Viewer => ({ userId: rawId(s.userId), deviceId: rawId(s.deviceId) });
const CREATE_GROUP = 'mutation($i: CreateGroupConversationInput!) { createGroupConversation(input: $i) { id } }';

/** Segment updates the stream delivers until it has been quiet for `quietMs`. */
async function segmentEvents(reader: SseReader, quietMs = 400): Promise<{ segment: number; update: string }[]> {
  const out = [];
  for (;;) {
    try {
      const m = await reader.next(quietMs);
      const e = m.data?.data?.events;
      if (e?.__typename === 'SegmentUpdatedEvent') out.push(e);
      if (m.event === 'end') return out;
    } catch {
      return out;
    }
  }
}

/** A new message by `author` on a fresh document (a fresh Yjs client): its update and id. */
function messageUpdate(conversationId: string, author: string, text: string, createdAt = Date.now(), id = uuidv7()) {
  const doc = new Y.Doc();
  let update: Uint8Array | undefined;
  doc.on('update', (u: Uint8Array) => {
    update = u;
  });
  createMessage(doc, { id, author, createdAt, text });
  return { id, item: { conversationId: rawId(conversationId), segment: segmentOf(createdAt), update: update as Uint8Array } };
}

describe.each(backends)('group commit on %s', (backend) => {
  const app = useTestApp(backend);

  async function trio() {
    const { client } = app();
    const [ana, bo, cy] = [await client.signUp('ana'), await client.signUp('bo'), await client.signUp('cy')];
    const { createGroupConversation } = await client.ok(
      CREATE_GROUP,
      { i: { title: 'Trio', memberIds: [bo.userId, cy.userId] } },
      ana.accessToken,
    );
    return { client, ana, bo, cy, conversationId: createGroupConversation.id as string };
  }

  const stored = async (conversationId: string) => {
    const db = app().deps.db;
    const id = rawId(conversationId);
    const updates = await sql<{ n: string }>`select count(*) as n from segment_updates where conversation_id = ${id}`.execute(db);
    const messages = await sql<{ id: string; text: string; author_id: string; created_txid: string }>`
      select id, text, author_id, created_txid from messages where conversation_id = ${id}`.execute(db);
    return { updates: Number(updates.rows[0]?.n), messages: messages.rows };
  };

  it('commits concurrent pushes in one transaction, accepts each honest update once, and stores and broadcasts nothing of the bad ones', async () => {
    const { client, ana, bo, cy, conversationId } = await trio();
    const devices = [ana, bo, await client.signIn(ana.handle, ana.password), await client.signIn(bo.handle, bo.password)];
    const watcher = await client.subscribe(EVENTS, cy.accessToken);
    const honest = devices.flatMap((d, n) =>
      [0, 1, 2].map((k) => ({ viewer: viewerOf(d), ...messageUpdate(conversationId, d.userId, `device ${n} message ${k}`) })),
    );
    const forged = messageUpdate(conversationId, ana.userId, 'Bo pretending to be Ana'); // the author is not the writer
    const garbage: PushItem = { ...forged.item, update: new Uint8Array([1, 2, 3, 250, 251]) };
    const stranger = await client.signUp('stranger');
    const intruder = messageUpdate(conversationId, stranger.userId, 'not a member');

    const deps = app().deps;
    const answers = await Promise.all([
      ...honest.slice(0, 6).map((h) => pushUpdates(deps, h.viewer, [h.item])),
      pushUpdates(deps, viewerOf(bo), [forged.item, garbage]),
      pushUpdates(deps, viewerOf(stranger), [intruder.item]),
      ...honest.slice(6).map((h) => pushUpdates(deps, h.viewer, [h.item])),
    ]);

    const statuses = answers.map((a) => a.map((o) => (o.status === 'refused' ? o.code : o.status)));
    expect(statuses).toEqual([
      ...Array(6).fill(['accepted']),
      ['FORBIDDEN_UPDATE', 'MALFORMED_UPDATE'],
      ['NOT_FOUND'],
      ...Array(6).fill(['accepted']),
    ]);
    const after = await stored(conversationId);
    expect(after.updates).toBe(honest.length);
    expect(after.messages.map((m) => m.id).sort()).toEqual(honest.map((h) => h.id).sort());
    expect(new Set(after.messages.map((m) => m.created_txid)).size).toBe(1); // one shared transaction

    const events = await segmentEvents(watcher);
    watcher.close();
    const sent = new Set(honest.map((h) => Buffer.from(h.item.update).toString('base64')));
    expect(events).toHaveLength(honest.length);
    expect(new Set(events.map((e) => e.update))).toEqual(sent);

    // Replayed (say, by a service worker that never saw the answers): nothing is stored twice.
    const replayed = await Promise.all(honest.map((h) => pushUpdates(deps, h.viewer, [h.item])));
    expect(replayed.flat().map((o) => o.status)).toEqual(honest.map(() => 'duplicate'));
    expect((await stored(conversationId)).updates).toBe(honest.length);
  });

  it('gives a message id to the first push that creates it: a later push in the same group creating it elsewhere is refused', async () => {
    const { ana, bo, conversationId } = await trio();
    const { client } = app();
    const other = await client.ok('mutation($u: ID!) { openDirectConversation(userId: $u) { id } }', { u: ana.userId }, bo.accessToken);
    const first = messageUpdate(conversationId, ana.userId, 'mine');
    const copy = messageUpdate(other.openDirectConversation.id, bo.userId, 'stolen id', Date.now() - 2 * 3600_000, first.id);
    const deps = app().deps;
    const [a, b] = await Promise.all([pushUpdates(deps, viewerOf(ana), [first.item]), pushUpdates(deps, viewerOf(bo), [copy.item])]);
    expect(a).toEqual([{ status: 'accepted' }]);
    expect(b).toMatchObject([{ status: 'refused', code: 'FORBIDDEN_UPDATE' }]);
    expect((await stored(conversationId)).messages).toMatchObject([{ id: first.id, text: 'mine' }]);
    expect((await stored(other.openDirectConversation.id)).updates).toBe(0);
  });

  it('answers pushes in one group as if one ran after the other, and every device converges on the same documents', async () => {
    const { client, ana, bo, cy, conversationId } = await trio();
    const phones = [new SyncDevice(client, ana), new SyncDevice(client, bo), new SyncDevice(client, cy)];
    const segment = segmentOf(Date.now());
    const deps = app().deps;
    // Ana's creation and her edit of it travel in two pushes of the same group: the edit depends on the creation.
    const { id } = phones[0]!.send(conversationId, 'draft');
    const creation = phones[0]!.outbox.splice(0);
    phones[0]!.edit(conversationId, segment, id, 'final');
    const edit = phones[0]!.outbox.splice(0);
    // On another of Bo's documents, his second update depends on his first, which he never sends.
    const unsent = new SyncDevice(client, bo);
    unsent.send(conversationId, 'lost');
    unsent.outbox.splice(0);
    unsent.send(conversationId, 'orphan');
    const orphan = unsent.outbox.splice(0);
    for (let k = 0; k < 5; k++) for (const p of phones) p.send(conversationId, `${p.session.handle} ${k}`);
    const pushes = phones.map((p) => p.outbox.splice(0));
    const item = (u: (typeof creation)[number]) => ({ conversationId: rawId(u.conversationId), segment: u.segment, update: u.update });

    const [created, edited, missing, ...rest] = await Promise.all([
      pushUpdates(deps, viewerOf(ana), creation.map(item)),
      pushUpdates(deps, viewerOf(ana), edit.map(item)),
      pushUpdates(deps, viewerOf(bo), orphan.map(item)),
      ...pushes.map((batch, n) => pushUpdates(deps, viewerOf(phones[n]!.session), batch.map(item))),
    ]);
    expect([...created!, ...edited!]).toEqual([{ status: 'accepted' }, { status: 'accepted' }]);
    expect(missing).toMatchObject([{ status: 'refused', code: 'MISSING_DEPENDENCIES' }]);
    expect(rest.flat().every((o) => o.status === 'accepted')).toBe(true);

    const fresh = new SyncDevice(client, cy);
    await fresh.pull([{ conversationId, segment }]);
    const serverState = Y.encodeStateVector(fresh.doc(conversationId, segment));
    const refusal = missing![0] as { stateVector?: Uint8Array };
    expect(Y.decodeStateVector(refusal.stateVector as Uint8Array).get(unsent.doc(conversationId, segment).clientID)).toBeUndefined();
    for (const p of phones) await p.pull([{ conversationId, segment }]);
    const texts = (p: SyncDevice) => listMessages(p.doc(conversationId, segment)).map((m) => m.text);
    expect(texts(fresh)).toHaveLength(16);
    expect(texts(fresh)).toContain('final');
    expect(texts(fresh)).not.toContain('orphan');
    for (const p of phones) {
      expect(Y.encodeStateVector(p.doc(conversationId, segment))).toEqual(serverState);
      expect(texts(p)).toEqual(texts(fresh));
    }
  });
});

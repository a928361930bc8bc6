import { Field, messagesOf, segmentOf } from '@mailboat/schema';
import { sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { decodeGlobalId } from '../src/global-ids.js';
import { backends, type SseReader, useTestApp } from './harness.js';
import { b64, PUSH, SyncDevice } from './sync-device.js';

const EVENTS = `subscription { events { __typename ... on SegmentUpdatedEvent { segment } } }`;

/** Resolves with the first SegmentUpdatedEvent, or undefined when none comes within `ms`. */
async function updateWithin(reader: SseReader, ms: number) {
  try {
    for (;;) {
      const m = await reader.next(ms);
      if (m.data?.data?.events?.__typename === 'SegmentUpdatedEvent') return m.data.data.events;
    }
  } catch {
    return undefined;
  }
}

describe.each(backends)('refused writes store nothing and reach nobody, on %s', (backend) => {
  const app = useTestApp(backend);

  /** Ana's message in a group with Bo and Cy; Bo attempts `attack` from a fresh device. */
  async function attempt(attack: (bos: SyncDevice, ctx: { conversationId: string; segment: number; id: string; ana: string }) => void) {
    const { client } = app();
    const [ana, bo, cy] = [await client.signUp('ana'), await client.signUp('bo'), await client.signUp('cy')];
    const conversationId = await client.createGroup(ana, [bo, cy], 'Trio');
    const phone = new SyncDevice(client, ana);
    const { id, segment } = phone.send(conversationId, 'original');
    phone.react(conversationId, segment, id, '🎉');
    await phone.push();
    const bos = new SyncDevice(client, bo);
    await bos.pull([{ conversationId, segment }]);
    const cyEvents = await client.subscribe(EVENTS, cy.accessToken);
    const count = async () =>
      Number((await sql<{ n: string }>`select count(*) as n from segment_updates`.execute(app().deps.db)).rows[0]?.n);
    const before = await count();
    attack(bos, { conversationId, segment, id, ana: ana.userId });
    const results = await bos.push();
    const after = await count();
    const event = await updateWithin(cyEvents, 300);
    cyEvents.close();
    const check = new SyncDevice(client, cy);
    await check.pull([{ conversationId, segment }]);
    return { results, stored: after - before, event, server: check.messages(conversationId, segment) };
  }

  const cases: [string, string, Parameters<typeof attempt>[0]][] = [
    ['editing the text', 'FORBIDDEN_UPDATE', (d, c) => d.edit(c.conversationId, c.segment, c.id, 'forged')],
    ['deleting the message', 'FORBIDDEN_UPDATE', (d, c) => d.delete(c.conversationId, c.segment, c.id)],
    [
      'setting deleted',
      'FORBIDDEN_UPDATE',
      (d, c) =>
        d
          .doc(c.conversationId, c.segment)
          .transact(() => messagesOf(d.doc(c.conversationId, c.segment)).get(c.id)?.set(Field.deleted, true), 'local'),
    ],
    [
      'removing the message entry',
      'FORBIDDEN_UPDATE',
      (d, c) => d.doc(c.conversationId, c.segment).transact(() => messagesOf(d.doc(c.conversationId, c.segment)).delete(c.id), 'local'),
    ],
    [
      "writing another user's reaction",
      'FORBIDDEN_UPDATE',
      (d, c) =>
        d
          .doc(c.conversationId, c.segment)
          .transact(
            () => (messagesOf(d.doc(c.conversationId, c.segment)).get(c.id)!.get(Field.reactions) as Y.Map<string>).set(c.ana, '💩'),
            'local',
          ),
    ],
    [
      "removing another user's reaction",
      'FORBIDDEN_UPDATE',
      (d, c) =>
        d
          .doc(c.conversationId, c.segment)
          .transact(
            () => (messagesOf(d.doc(c.conversationId, c.segment)).get(c.id)!.get(Field.reactions) as Y.Map<string>).delete(c.ana),
            'local',
          ),
    ],
    [
      'changing createdAt',
      'FORBIDDEN_UPDATE',
      (d, c) =>
        d
          .doc(c.conversationId, c.segment)
          .transact(() => messagesOf(d.doc(c.conversationId, c.segment)).get(c.id)?.set(Field.createdAt, 1), 'local'),
    ],
    [
      'a forged author',
      'FORBIDDEN_UPDATE',
      (d, c) => {
        const now = Date.now();
        d.doc(c.conversationId, segmentOf(now)).transact(() => {
          const m = new Y.Map<unknown>();
          const id = '0190a000-0000-7000-8000-00000000abcd';
          for (const [k, v] of [
            [Field.id, id],
            [Field.author, c.ana],
            [Field.createdAt, now],
            [Field.text, new Y.Text('hi')],
            [Field.reactions, new Y.Map()],
          ] as const)
            m.set(k, v);
          messagesOf(d.doc(c.conversationId, segmentOf(now))).set(id, m);
        }, 'local');
      },
    ],
    [
      'an unknown root type',
      'FORBIDDEN_UPDATE',
      (d, c) =>
        d.doc(c.conversationId, c.segment).transact(() => d.doc(c.conversationId, c.segment).getMap('admin').set('owner', 'bo'), 'local'),
    ],
  ];

  for (const [what, code, attack] of cases) {
    it(`refuses ${what}`, async () => {
      const r = await attempt(attack);
      expect(r.results.map((x: any) => x.error?.code)).toEqual([code]);
      expect(r.stored).toBe(0);
      expect(r.event).toBeUndefined();
      expect(r.server).toMatchObject([{ text: 'original', deleted: false }]);
      expect(Object.values(r.server[0]?.reactions ?? {})).toEqual(['🎉']);
      expect(r.server).toHaveLength(1);
    });
  }

  it('refuses truncated and oversized bytes, storing nothing', async () => {
    const { client } = app();
    const { ana, conversationId } = await client.directPair();
    const phone = new SyncDevice(client, ana);
    const { segment } = phone.send(conversationId, 'x'.repeat(500));
    const [whole] = phone.outbox;
    const truncated = whole!.update.slice(0, whole!.update.length - 40);
    const oversized = new Uint8Array(300 * 1024);
    const data = await client.ok(
      PUSH,
      { updates: [truncated, oversized].map((u) => ({ conversationId: conversationId, segment, update: b64(u) })) },
      ana.accessToken,
    );
    expect(data.pushUpdates.results.map((r: any) => r.error?.code)).toEqual([
      expect.stringMatching(/MALFORMED_UPDATE|MISSING_DEPENDENCIES/),
      'UPDATE_TOO_LARGE',
    ]);
    const n = Number(
      (
        await sql<{
          n: string;
        }>`select count(*) as n from messages where conversation_id = ${decodeGlobalId(conversationId).id}`.execute(app().deps.db)
      ).rows[0]?.n,
    );
    expect(n).toBe(0);
  });
});

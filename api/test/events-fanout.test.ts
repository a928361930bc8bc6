import { describe, expect, it } from 'vitest';
import { EventHub } from '../src/events/events-hub.js';
import { EventQueue } from '../src/events/events-queue.js';
import { createAppPubSub, type PubSub } from '../src/events/pubsub.js';
import { backends, nextEvent, type Session, type SseReader, type TestClient, useTestApp } from './harness.js';
import { SyncDevice } from './sync-device.js';

/**
 * Live fan-out shares one pubsub subscription per user, device and node between that user's
 * streams (events-hub.ts) and feeds each stream a plain queue (events-queue.ts). These tests
 * hold it to the same authorization as one subscription per stream: a stream hears only its
 * viewer's events, removal and revocation act at once, and each viewer's fields are its own.
 * Absence is proven by order, never by waiting: events reach a user in publish order, so a
 * later marker arriving first proves an earlier event was not sent.
 */

const EVENTS = `subscription { events {
  __typename
  ... on SegmentUpdatedEvent { conversationId segment update }
  ... on ConversationUpdatedEvent { conversation { id title viewerRole } }
  ... on ConversationRemovedEvent { conversationId reason }
} }`;

const b64 = (bytes: Uint8Array) => Buffer.from(bytes).toString('base64');

/** Writes one message as `session` and pushes it; returns the exact update bytes (base64) pushed. */
async function write(client: TestClient, session: Session, conversationId: string, text: string): Promise<string> {
  const device = new SyncDevice(client, session);
  device.send(conversationId, text);
  const update = b64((device.outbox[0] as { update: Uint8Array }).update);
  const [result] = await device.push();
  expect(result.status).toBe('ACCEPTED');
  return update;
}

const nextUpdate = (reader: SseReader) => nextEvent(reader, 'SegmentUpdatedEvent');

describe('EventQueue', () => {
  const queue = (limit = 10, held = false) => {
    const closed: string[] = [];
    const q = new EventQueue<number>({ limit, overflow: () => new Error('overflow'), onClose: () => closed.push('closed'), held });
    return { q, closed };
  };

  it('delivers pushed values in order, to a waiting reader too', async () => {
    const { q } = queue();
    q.push(1);
    q.push(2);
    const waiting = [q.next(), q.next(), q.next()];
    q.push(3);
    expect((await Promise.all(waiting)).map((r) => r.value)).toEqual([1, 2, 3]);
  });

  it('delivers nothing while held, then everything pushed meanwhile once released', async () => {
    const { q } = queue(10, true);
    let delivered: number | undefined;
    const first = q.next().then((r) => {
      delivered = r.value;
    });
    q.push(7);
    q.push(8);
    await Promise.resolve();
    expect(delivered).toBeUndefined();
    q.release();
    await first;
    expect(delivered).toBe(7);
    expect((await q.next()).value).toBe(8);
  });

  it('drops what is queued when it fails, rejects once with the error, then is done', async () => {
    const { q, closed } = queue();
    q.push(1);
    q.fail(new Error('revoked'));
    q.push(2);
    await expect(q.next()).rejects.toThrow('revoked');
    expect(await q.next()).toEqual({ value: undefined, done: true });
    expect(closed).toEqual(['closed']);
  });

  it('rejects a waiting reader at once when it fails', async () => {
    const { q } = queue();
    const waiting = q.next();
    q.fail(new Error('interrupted'));
    await expect(waiting).rejects.toThrow('interrupted');
  });

  it('ends with the overflow error when the reader falls more than the limit behind', async () => {
    const { q, closed } = queue(3);
    for (let i = 0; i < 4; i++) q.push(i);
    await expect(q.next()).rejects.toThrow('overflow');
    expect(closed).toEqual(['closed']);
  });

  it('closes once when the reader goes away, ending a waiting read', async () => {
    const { q, closed } = queue();
    const waiting = q.next();
    await q.return();
    await q.return();
    q.fail(new Error('late'));
    expect(await waiting).toEqual({ value: undefined, done: true });
    expect(closed).toEqual(['closed']);
  });
});

describe('EventHub', () => {
  /** A pubsub that counts the subscriptions open on it. */
  function countingPubSub() {
    const inner = createAppPubSub();
    const open = { count: 0 };
    const pubsub: PubSub = {
      publish: inner.publish,
      subscribe: ((...args: Parameters<PubSub['subscribe']>) => {
        open.count++;
        const it = inner.subscribe(...args);
        const ret = it.return.bind(it);
        it.return = (value?: any) => {
          open.count--;
          return ret(value);
        };
        return it;
      }) as PubSub['subscribe'],
    };
    return { pubsub, open };
  }

  const settle = () => new Promise((resolve) => setImmediate(resolve));

  it("shares one subscription per channel and hands each listener its channel's events only", async () => {
    const { pubsub, open } = countingPubSub();
    const hub = new EventHub(pubsub);
    const heard: Record<string, string[]> = { a1: [], a2: [], b: [] };
    const stops = [
      hub.listen('user', 'a', (e) => heard.a1?.push(e.kind)),
      hub.listen('user', 'a', (e) => heard.a2?.push(e.kind)),
      hub.listen('user', 'b', (e) => heard.b?.push(e.kind)),
    ];
    expect(open.count).toBe(2);
    pubsub.publish('user', 'a', { kind: 'deviceAdded', deviceId: 'd1' });
    pubsub.publish('user', 'b', { kind: 'deviceRevoked', deviceId: 'd2' });
    await settle();
    expect(heard).toEqual({ a1: ['deviceAdded'], a2: ['deviceAdded'], b: ['deviceRevoked'] });
    for (const stop of stops) stop();
    expect(open.count).toBe(0);
  });

  it('keeps a channel for its remaining listeners, and opens it again after the last one left', async () => {
    const { pubsub, open } = countingPubSub();
    const hub = new EventHub(pubsub);
    const heard: string[] = [];
    const stopFirst = hub.listen('user', 'a', () => heard.push('first'));
    const stopSecond = hub.listen('user', 'a', () => heard.push('second'));
    stopFirst();
    pubsub.publish('user', 'a', { kind: 'deviceAdded', deviceId: 'd1' });
    await settle();
    expect(heard).toEqual(['second']);
    stopSecond();
    expect(open.count).toBe(0);
    const stopThird = hub.listen('user', 'a', () => heard.push('third'));
    pubsub.publish('user', 'a', { kind: 'deviceAdded', deviceId: 'd1' });
    await settle();
    expect(heard).toEqual(['second', 'third']);
    stopThird();
  });

  it('goes on delivering to the other listeners when one throws', async () => {
    const { pubsub } = countingPubSub();
    const hub = new EventHub(pubsub);
    const heard: string[] = [];
    const error = console.error;
    console.error = () => undefined;
    try {
      const stops = [
        hub.listen('node', undefined, () => {
          throw new Error('broken listener');
        }),
        hub.listen('node', undefined, (s) => heard.push(s.kind)),
      ];
      pubsub.publish('node', { kind: 'eventsInterrupted' });
      pubsub.publish('node', { kind: 'eventsInterrupted' });
      await settle();
      expect(heard).toEqual(['eventsInterrupted', 'eventsInterrupted']);
      for (const stop of stops) stop();
    } finally {
      console.error = error;
    }
  });
});

describe.each(backends)('live fan-out on %s', (backend) => {
  const app = useTestApp(backend);

  /** Ana owns two groups: `both` with Bo and Cy, `boOnly` with Bo; plus a direct conversation with Cy for markers. */
  async function setUp() {
    const { client } = app();
    const ana = await client.signUp('ana');
    const bo = await client.signUp('bo');
    const cy = await client.signUp('cy');
    const both = await client.createGroup(ana, [bo, cy], 'both');
    const boOnly = await client.createGroup(ana, [bo], 'bo only');
    const direct = (await client.ok('mutation($u: ID!) { openDirectConversation(userId: $u) { id } }', { u: cy.userId }, ana.accessToken))
      .openDirectConversation.id as string;
    return { client, ana, bo, cy, both, boOnly, direct };
  }

  /** `count` more devices of `session`'s user, each with an open event stream. */
  async function streams(client: TestClient, session: Session, count: number): Promise<SseReader[]> {
    const readers: SseReader[] = [];
    for (let i = 0; i < count; i++) {
      const device = await client.signIn(session.handle, session.password, `Device ${i}`);
      readers.push(await client.subscribe(EVENTS, device.accessToken));
    }
    return readers;
  }

  it("gives every stream of every member identical, exact payloads, and no stream another conversation's", async () => {
    const { client, ana, bo, cy, both, boOnly, direct } = await setUp();
    const boStreams = await streams(client, bo, 4);
    const cyStreams = await streams(client, cy, 4);
    const writer = await client.subscribe(EVENTS, ana.accessToken); // the writing device itself
    try {
      const toBoOnly = await write(client, ana, boOnly, 'for bo');
      const toBoth = await write(client, ana, both, 'for both');
      const marker = await write(client, cy, direct, 'marker for ana');

      for (const s of boStreams) {
        expect(await nextUpdate(s)).toEqual({
          __typename: 'SegmentUpdatedEvent',
          conversationId: boOnly,
          segment: expect.any(Number),
          update: toBoOnly,
        });
        expect(await nextUpdate(s)).toMatchObject({ conversationId: both, update: toBoth });
      }
      for (const s of cyStreams) {
        // Cy is not in `boOnly`, published first: her first update is the one for `both`.
        expect(await nextUpdate(s)).toMatchObject({ conversationId: both, update: toBoth });
      }
      // The writing device hears none of its own writes: the first update it gets is Cy's.
      expect(await nextUpdate(writer)).toMatchObject({ conversationId: direct, update: marker });
    } finally {
      for (const s of [...boStreams, ...cyStreams, writer]) s.close();
    }
  });

  it('resolves the fields of one event for each viewer: the same rename shows each member their own role', async () => {
    const { client, ana, bo, cy, both } = await setUp();
    const [anaOther] = await streams(client, ana, 1);
    const boStreams = await streams(client, bo, 2);
    const cyStreams = await streams(client, cy, 2);
    try {
      await client.ok(
        'mutation($c: ID!) { renameConversation(conversationId: $c, title: "renamed") { id } }',
        { c: both },
        ana.accessToken,
      );
      const renamed = async (s: SseReader) => (await nextEvent(s, 'ConversationUpdatedEvent')).conversation;
      expect(await renamed(anaOther as SseReader)).toEqual({ id: both, title: 'renamed', viewerRole: 'OWNER' });
      for (const s of [...boStreams, ...cyStreams]) expect(await renamed(s)).toEqual({ id: both, title: 'renamed', viewerRole: 'MEMBER' });
    } finally {
      for (const s of [anaOther as SseReader, ...boStreams, ...cyStreams]) s.close();
    }
  });

  it('stops sending a conversation to every stream of a removed member at once, and goes on for the others', async () => {
    const { client, ana, bo, cy, both, direct } = await setUp();
    const boStreams = await streams(client, bo, 2);
    const cyStreams = await streams(client, cy, 3);
    try {
      await client.ok(
        'mutation($c: ID!, $u: ID!) { removeConversationMember(conversationId: $c, userId: $u) { id } }',
        { c: both, u: cy.userId },
        ana.accessToken,
      );
      const afterRemoval = await write(client, ana, both, 'cy is gone');
      const marker = await write(client, ana, direct, 'marker for cy');
      for (const s of cyStreams) {
        expect(await nextEvent(s, 'ConversationRemovedEvent')).toEqual({
          __typename: 'ConversationRemovedEvent',
          conversationId: both,
          reason: 'REMOVED',
        });
        // Published after the write to `both`: arriving first, it proves that write never came.
        expect(await nextUpdate(s)).toMatchObject({ conversationId: direct, update: marker });
      }
      for (const s of boStreams) expect(await nextUpdate(s)).toMatchObject({ conversationId: both, update: afterRemoval });
    } finally {
      for (const s of [...boStreams, ...cyStreams]) s.close();
    }
  });

  it("ends only the revoked device's stream; the user's other streams, sharing its subscription, go on", async () => {
    const { client, ana, bo, both } = await setUp();
    const phone = await client.signIn(bo.handle, bo.password, 'Phone');
    const tablet = await client.signIn(bo.handle, bo.password, 'Tablet');
    const phoneEvents = await client.subscribe(EVENTS, phone.accessToken);
    const tabletEvents = await client.subscribe(EVENTS, tablet.accessToken);
    try {
      await client.ok('mutation($id: ID!) { revokeDevice(id: $id) { id } }', { id: tablet.deviceId }, phone.accessToken);
      for (;;) {
        const m = await tabletEvents.next();
        if (m.data?.errors) {
          expect(m.data.errors[0].extensions.code).toBe('DEVICE_REVOKED');
          break;
        }
        expect(m.event).not.toBe('end');
        expect(m.data?.data?.events?.__typename).not.toBe('SegmentUpdatedEvent');
      }
      const update = await write(client, ana, both, 'after the revocation');
      expect(await nextUpdate(phoneEvents)).toMatchObject({ conversationId: both, update });
      expect(await nextUpdate(tabletEvents)).toBeUndefined(); // the stream has ended
    } finally {
      phoneEvents.close();
      tabletEvents.close();
    }
  });

  it('keeps delivering to the streams left open when others of the same user close, and to a stream opened after all closed', async () => {
    const { client, ana, bo, boOnly } = await setUp();
    const [kept, ...closed] = await streams(client, bo, 3);
    for (const s of closed) s.close();
    const first = await write(client, ana, boOnly, 'first');
    expect(await nextUpdate(kept as SseReader)).toMatchObject({ update: first });
    (kept as SseReader).close();
    const [reopened] = await streams(client, bo, 1);
    try {
      const second = await write(client, ana, boOnly, 'second');
      expect(await nextUpdate(reopened as SseReader)).toMatchObject({ update: second });
    } finally {
      reopened?.close();
    }
  });
});

import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../src/app.js';
import { decodeGlobalId } from '../src/global-ids.js';
import { listen, type RunningApp, startApp } from './environment.js';
import { backends, freshPostgresUrl, nextEvent, type Session, SseReader, TestClient, testEnv, useTestApp } from './harness.js';

/**
 * Online / last seen: a user is online while a device of theirs holds an `events` stream on
 * any node. Only people sharing a conversation see it, and only while both share presence.
 * Absence of an event is proven by order (a later marker arrives first), never by waiting.
 */

const EVENTS = `subscription { events { __typename
  ... on PresenceEvent { user { id } presence { online lastSeenAt } }
  ... on TypingEvent { user { id } typing }
} }`;
const PRESENCE = 'query($id: ID!) { node(id: $id) { ... on User { presence { online lastSeenAt } } } }';
const SET_TYPING = 'mutation($c: ID!, $t: Boolean!) { setTyping(conversationId: $c, typing: $t) }';

/** Polls `condition` until it holds (the server noticed a closed stream); fails after 5 s. */
async function until(condition: () => boolean): Promise<void> {
  const deadline = Date.now() + 5000;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met in 5 s');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/** The next PresenceEvent or TypingEvent (a marker) on the stream. */
async function nextSignal(reader: SseReader): Promise<any> {
  for (;;) {
    const m = await reader.next(5000);
    if (m.event === 'end') throw new Error('the stream ended');
    const e = m.data?.data?.events;
    if (e?.__typename === 'PresenceEvent' || e?.__typename === 'TypingEvent') return e;
  }
}

/** The row id behind a session's global ID (usr_…, dev_…). */
const raw = (globalId: string) => decodeGlobalId(globalId).id;

const presenceOf = async (client: TestClient, viewer: Session, user: Session) =>
  (await client.ok(PRESENCE, { id: user.userId }, viewer.accessToken)).node.presence as {
    online: boolean;
    lastSeenAt: string | null;
  } | null;

/** Serves the app on 127.0.0.1 for the describe block: a stream ends when its socket closes, as a browser's does. */
function useServer(app: () => App): () => string {
  let server: { url: string; close: () => Promise<void> } | undefined;
  beforeAll(async () => {
    server = await listen(app());
  });
  afterAll(async () => {
    await server?.close();
  });
  return () => server?.url ?? '';
}

/** Opens the `events` stream of `device` over a real socket to the server at `url`. */
async function subscribe(url: string, device: Session, query = EVENTS): Promise<SseReader> {
  const controller = new AbortController();
  const res = await fetch(`${url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'text/event-stream', authorization: `Bearer ${device.accessToken}` },
    body: JSON.stringify({ query }),
    signal: controller.signal,
  });
  return new SseReader(res, controller);
}

/** Closes a stream and waits until the app has handled it (its presence writes included). */
async function closeStream(app: App, reader: SseReader, device: Session): Promise<void> {
  const before = app.deps.presence.streams(raw(device.deviceId));
  reader.close();
  await until(() => app.deps.presence.streams(raw(device.deviceId)) < before);
  await app.deps.presence.idle();
}

/** Opens a stream and waits until its presence write has run. */
async function openStream(app: App, url: string, device: Session): Promise<SseReader> {
  const reader = await subscribe(url, device);
  await until(() => app.deps.presence.streams(raw(device.deviceId)) > 0);
  await app.deps.presence.idle();
  return reader;
}

describe.each(backends)('presence on %s', (backend) => {
  const app = useTestApp(backend, { PRESENCE_GRACE_SECONDS: '0' });
  const url = useServer(app);

  it('shows a user online to co-members while a device holds a stream, then offline with when they were last seen', async () => {
    const { client, ana, bo } = await app().client.directPair();
    expect(await presenceOf(client, ana, bo)).toEqual({ online: false, lastSeenAt: null }); // never seen
    const anaEvents = await openStream(app(), url(), ana);
    try {
      const boEvents = await subscribe(url(), bo);
      expect(await nextEvent(anaEvents, 'PresenceEvent')).toEqual({
        __typename: 'PresenceEvent',
        user: { id: bo.userId },
        presence: { online: true, lastSeenAt: null },
      });
      expect(await presenceOf(client, ana, bo)).toEqual({ online: true, lastSeenAt: null });
      expect(await presenceOf(client, bo, bo)).toBeNull(); // not for yourself

      const closed = Date.now();
      boEvents.close();
      const offline = await nextEvent(anaEvents, 'PresenceEvent');
      expect(offline).toMatchObject({ user: { id: bo.userId }, presence: { online: false } });
      const lastSeen = Date.parse(offline.presence.lastSeenAt);
      expect(lastSeen).toBeGreaterThanOrEqual(closed - 2000);
      expect(lastSeen).toBeLessThanOrEqual(Date.now() + 2000);
      expect(await presenceOf(client, ana, bo)).toEqual({ online: false, lastSeenAt: offline.presence.lastSeenAt });
    } finally {
      anaEvents.close();
    }
  });

  it('keeps a user online while another of their devices holds a stream', async () => {
    const { client, ana, bo, conversationId } = await app().client.directPair();
    const laptop = await client.signIn(bo.handle, bo.password, 'Laptop');
    const anaEvents = await openStream(app(), url(), ana);
    try {
      const phoneEvents = await subscribe(url(), bo);
      expect((await nextSignal(anaEvents)).presence).toEqual({ online: true, lastSeenAt: null });
      const laptopEvents = await openStream(app(), url(), laptop);
      await closeStream(app(), phoneEvents, bo);
      await client.ok(SET_TYPING, { c: conversationId, t: true }, laptop.accessToken); // the marker
      expect(await nextSignal(anaEvents)).toMatchObject({ __typename: 'TypingEvent', user: { id: bo.userId } });
      expect(await presenceOf(client, ana, bo)).toEqual({ online: true, lastSeenAt: null });

      laptopEvents.close();
      expect(await nextSignal(anaEvents)).toMatchObject({ __typename: 'PresenceEvent', presence: { online: false } });
    } finally {
      anaEvents.close();
    }
  });

  it('reports nobody online to people outside their conversations', async () => {
    const { client, bo } = await app().client.directPair();
    const stranger = await client.signUp('stranger');
    const boEvents = await openStream(app(), url(), bo);
    try {
      expect(await presenceOf(client, stranger, bo)).toBeNull();
    } finally {
      boEvents.close();
    }
  });

  it('hides presence both ways when either side turns sharing off', async () => {
    const { client, ana, bo, conversationId } = await app().client.directPair();
    const setShare = (who: Session, share: boolean) =>
      sql`update users set share_presence = ${share} where id = ${raw(who.userId)}`.execute(app().deps.db);
    const anaEvents = await openStream(app(), url(), ana);
    try {
      await setShare(bo, false);
      const boEvents = await openStream(app(), url(), bo);
      expect(await presenceOf(client, ana, bo)).toBeNull(); // his setting hides him
      expect(await presenceOf(client, bo, ana)).toBeNull(); // and hides others from him
      await client.ok(SET_TYPING, { c: conversationId, t: true }, bo.accessToken); // the marker: no presence event before it
      expect(await nextSignal(anaEvents)).toMatchObject({ __typename: 'TypingEvent', user: { id: bo.userId } });
      await closeStream(app(), boEvents, bo);

      await setShare(bo, true);
      await setShare(ana, false);
      const again = await openStream(app(), url(), bo);
      expect(await presenceOf(client, ana, bo)).toBeNull(); // her own setting hides him from her
      expect(await presenceOf(client, bo, ana)).toBeNull();
      await client.ok(SET_TYPING, { c: conversationId, t: false }, bo.accessToken);
      expect(await nextSignal(anaEvents)).toMatchObject({ __typename: 'TypingEvent', typing: false });
      await setShare(ana, true);
      expect(await presenceOf(client, ana, bo)).toEqual({ online: true, lastSeenAt: null });
      again.close();
    } finally {
      anaEvents.close();
    }
  });

  it("shows each viewer their own view of a typer's presence, though typing events are shared between streams", async () => {
    const { client } = app();
    const [ana, bo, cy] = [await client.signUp('ana'), await client.signUp('bo'), await client.signUp('cy')];
    const group = await client.createGroup(ana, [bo, cy]);
    await sql`update users set share_presence = false where id = ${raw(cy.userId)}`.execute(app().deps.db);
    const query = 'subscription { events { __typename ... on TypingEvent { user { id presence { online } } } } }';
    const anaEvents = await subscribe(url(), ana, query);
    const cyEvents = await subscribe(url(), cy, query);
    const boEvents = await openStream(app(), url(), bo);
    try {
      await client.ok(SET_TYPING, { c: group, t: true }, bo.accessToken);
      expect(await nextEvent(anaEvents, 'TypingEvent')).toEqual({
        __typename: 'TypingEvent',
        user: { id: bo.userId, presence: { online: true } },
      });
      expect(await nextEvent(cyEvents, 'TypingEvent')).toEqual({ __typename: 'TypingEvent', user: { id: bo.userId, presence: null } });
    } finally {
      for (const reader of [anaEvents, cyEvents, boEvents]) reader.close();
    }
  });

  it('reads a device whose node crashed as offline once its row ran out, and the sweep announces it', async () => {
    const { client, ana, bo } = await app().client.directPair();
    const { db, presence } = app().deps;
    const crashedAt = new Date(Date.now() - 60_000);
    // What a crashed node leaves: Bo announced online, his device's row no longer refreshed.
    await sql`insert into device_presence (device_id, user_id, online_until) values (${raw(bo.deviceId)}, ${raw(bo.userId)}, ${crashedAt})`.execute(
      db,
    );
    await sql`insert into user_presence (user_id, online) values (${raw(bo.userId)}, true)`.execute(db);
    expect(await presenceOf(client, ana, bo)).toEqual({ online: false, lastSeenAt: crashedAt.toISOString() });

    const anaEvents = await openStream(app(), url(), ana);
    try {
      await presence.sweep();
      expect(await nextEvent(anaEvents, 'PresenceEvent')).toEqual({
        __typename: 'PresenceEvent',
        user: { id: bo.userId },
        presence: { online: false, lastSeenAt: crashedAt.toISOString() },
      });
    } finally {
      anaEvents.close();
    }
  });

  it('gives each user of a list their presence (one query for the list)', async () => {
    const { client } = app();
    const [ana, bo, cy] = [await client.signUp('ana'), await client.signUp('bo'), await client.signUp('cy')];
    const group = await client.createGroup(ana, [bo, cy]);
    const boEvents = await openStream(app(), url(), bo);
    try {
      const data = await client.ok(
        'query($id: ID!) { node(id: $id) { ... on Conversation { members(first: 10) { edges { node { id presence { online } } } } } } }',
        { id: group },
        ana.accessToken,
      );
      const byId = Object.fromEntries(data.node.members.edges.map((e: any) => [e.node.id, e.node.presence]));
      expect(byId).toEqual({ [ana.userId]: null, [bo.userId]: { online: true }, [cy.userId]: { online: false } });
    } finally {
      boEvents.close();
    }
  });
});

describe('presence with a grace period', () => {
  const app = useTestApp('pglite', { PRESENCE_GRACE_SECONDS: '300' });
  const url = useServer(app);

  it('shows no change when a device reconnects within the grace (a page reload)', async () => {
    const { client, ana, bo, conversationId } = await app().client.directPair();
    const anaEvents = await openStream(app(), url(), ana);
    try {
      const first = await subscribe(url(), bo);
      expect((await nextSignal(anaEvents)).presence).toEqual({ online: true, lastSeenAt: null });
      await closeStream(app(), first, bo);
      const second = await openStream(app(), url(), bo);
      await client.ok(SET_TYPING, { c: conversationId, t: true }, bo.accessToken); // the marker
      expect(await nextSignal(anaEvents)).toMatchObject({ __typename: 'TypingEvent' });
      expect(await presenceOf(client, ana, bo)).toEqual({ online: true, lastSeenAt: null });
      second.close();
    } finally {
      anaEvents.close();
    }
  });
});

// Real Postgres only: two nodes share presence and events through the database (LISTEN/NOTIFY).
describe('presence and typing across two API nodes on one Postgres', () => {
  type Node = { app: RunningApp; client: TestClient; url: string; closeServer: () => Promise<void>; stop: () => Promise<void> };
  let nodes: Node[] = [];
  let env: Record<string, string> = {};

  const startNode = async (): Promise<Node> => {
    const started = await startApp(env);
    const server = await listen(started);
    return {
      app: started,
      client: new TestClient(started),
      url: server.url,
      closeServer: server.close,
      stop: async () => {
        await server.close();
        await started.close();
      },
    };
  };

  beforeAll(async () => {
    env = testEnv({ DATABASE_URL: await freshPostgresUrl(), PRESENCE_GRACE_SECONDS: '0' });
    nodes = [await startNode(), await startNode()];
  });

  afterAll(async () => {
    for (const node of nodes) await node.stop();
    nodes = [];
  });

  it('announces a device on B to a co-member on A, once, with typing crossing too', async () => {
    const [a, b] = nodes as [Node, Node];
    const { ana, bo, conversationId } = await a.client.directPair();
    const anaEvents = await openStream(a.app, a.url, ana);
    try {
      const boEvents = await subscribe(b.url, bo);
      expect(await nextSignal(anaEvents)).toEqual({
        __typename: 'PresenceEvent',
        user: { id: bo.userId },
        presence: { online: true, lastSeenAt: null },
      });
      expect(await presenceOf(a.client, ana, bo)).toEqual({ online: true, lastSeenAt: null });
      await b.client.ok(SET_TYPING, { c: conversationId, t: true }, bo.accessToken);
      expect(await nextSignal(anaEvents)).toMatchObject({ __typename: 'TypingEvent', user: { id: bo.userId }, typing: true });

      // A second device on A: Bo stays online when his stream on B closes.
      const laptop = await a.client.signIn(bo.handle, bo.password, 'Laptop');
      const laptopEvents = await openStream(a.app, a.url, laptop);
      await closeStream(b.app, boEvents, bo);
      await a.client.ok(SET_TYPING, { c: conversationId, t: false }, laptop.accessToken); // the marker
      expect(await nextSignal(anaEvents)).toMatchObject({ __typename: 'TypingEvent', typing: false });

      laptopEvents.close();
      const offline = await nextSignal(anaEvents);
      expect(offline).toMatchObject({ __typename: 'PresenceEvent', user: { id: bo.userId }, presence: { online: false } });
      expect(await presenceOf(b.client, ana, bo)).toEqual({ online: false, lastSeenAt: offline.presence.lastSeenAt });
    } finally {
      anaEvents.close();
    }
  });

  it("announces a node's devices offline when it shuts down", async () => {
    const [a] = nodes as [Node];
    const { ana, bo } = await a.client.directPair();
    const anaEvents = await openStream(a.app, a.url, ana);
    const third = await startNode();
    let stopped = false;
    try {
      // (reads nothing from the database: its events may still arrive while the node shuts down)
      const boEvents = await subscribe(third.url, bo, 'subscription { events { __typename } }');
      expect((await nextSignal(anaEvents)).presence).toEqual({ online: true, lastSeenAt: null });
      stopped = true;
      await third.app.close(); // its stream still open: the shutdown itself ends the presence
      await third.closeServer();
      boEvents.close();
      expect(await nextSignal(anaEvents)).toMatchObject({ __typename: 'PresenceEvent', presence: { online: false } });
    } finally {
      anaEvents.close();
      if (!stopped) await third.stop();
    }
  });
});

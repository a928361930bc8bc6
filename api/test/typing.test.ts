import { describe, expect, it } from 'vitest';
import { TYPING_CALLS_PER_MINUTE } from '../src/typing/typing-throttle.js';
import { backends, nextEvent, type Session, type SseReader, type TestClient, useTestApp } from './harness.js';

/**
 * Typing indicators: ephemeral events to the conversation's other members, stamped with the
 * typer by the server and paced per device. Absence is proven by order, never by waiting:
 * events reach a user in publish order, so a later marker arriving first proves an earlier
 * event was not sent to them.
 */

const EVENTS = `subscription { events { __typename
  ... on TypingEvent { conversationId user { id displayName } typing expiresAt }
} }`;
const SET_TYPING = 'mutation($c: ID!, $t: Boolean!) { setTyping(conversationId: $c, typing: $t) }';

const typingEvent = (reader: SseReader) => nextEvent(reader, 'TypingEvent');

describe.each(backends)('typing indicators on %s', (backend) => {
  const app = useTestApp(backend);

  const type = (client: TestClient, who: Session, conversationId: string, typing: boolean) =>
    client.gql<{ setTyping: boolean }>(SET_TYPING, { c: conversationId, t: typing }, { token: who.accessToken });

  it('shows "Bo is typing" to the other member, stamped by the server, expiring in a few seconds', async () => {
    const { client, ana, bo, conversationId } = await app().client.directPair();
    const anaEvents = await client.subscribe(EVENTS, ana.accessToken);
    try {
      const before = Date.now();
      expect((await type(client, bo, conversationId, true)).data).toEqual({ setTyping: true });
      const event = await typingEvent(anaEvents);
      expect(event).toMatchObject({ conversationId, user: { id: bo.userId }, typing: true });
      const expiresAt = Date.parse(event.expiresAt);
      expect(expiresAt).toBeGreaterThan(before + 3000);
      expect(expiresAt).toBeLessThanOrEqual(Date.now() + 10_000);
    } finally {
      anaEvents.close();
    }
  });

  it("never reaches the typer's own devices nor people outside the conversation", async () => {
    const { client, ana, bo, conversationId } = await app().client.directPair();
    const boLaptop = await client.signIn(bo.handle, bo.password, 'Laptop');
    const cy = await client.signUp('cy');
    const withCy = (await client.ok('mutation($u: ID!) { openDirectConversation(userId: $u) { id } }', { u: cy.userId }, bo.accessToken))
      .openDirectConversation.id as string;
    const laptopEvents = await client.subscribe(EVENTS, boLaptop.accessToken);
    const cyEvents = await client.subscribe(EVENTS, cy.accessToken);
    try {
      await type(client, bo, conversationId, true); // to Ana only
      await type(client, ana, conversationId, true); // the marker for Bo's laptop
      await type(client, bo, withCy, true); // the marker for Cy
      expect(await typingEvent(laptopEvents)).toMatchObject({ conversationId, user: { id: ana.userId }, typing: true });
      expect(await typingEvent(cyEvents)).toMatchObject({ conversationId: withCy, user: { id: bo.userId } });
    } finally {
      laptopEvents.close();
      cyEvents.close();
    }
  });

  it('answers NOT_FOUND to someone outside the conversation, and publishes nothing', async () => {
    const { client, ana, conversationId } = await app().client.directPair();
    const eve = await client.signUp('eve');
    const anaEvents = await client.subscribe(EVENTS, ana.accessToken);
    try {
      for (const typing of [true, true, false]) {
        const r = await type(client, eve, conversationId, typing);
        expect(r.errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
      }
      const cy = await client.signUp('cy');
      const withCy = (await client.ok('mutation($u: ID!) { openDirectConversation(userId: $u) { id } }', { u: cy.userId }, ana.accessToken))
        .openDirectConversation.id as string;
      await type(client, cy, withCy, true); // the marker
      expect(await typingEvent(anaEvents)).toMatchObject({ conversationId: withCy, user: { id: cy.userId } });
    } finally {
      anaEvents.close();
    }
  });

  it('clears at once with typing false, and does not publish a repeat within two seconds', async () => {
    const { client, ana, bo, conversationId } = await app().client.directPair();
    const anaEvents = await client.subscribe(EVENTS, ana.accessToken);
    try {
      expect((await type(client, bo, conversationId, true)).data?.setTyping).toBe(true);
      expect((await type(client, bo, conversationId, true)).data?.setTyping).toBe(true); // accepted, not sent again
      const stopped = Date.now();
      expect((await type(client, bo, conversationId, false)).data?.setTyping).toBe(true);
      expect(await typingEvent(anaEvents)).toMatchObject({ user: { id: bo.userId }, typing: true });
      const cleared = await typingEvent(anaEvents);
      expect(cleared).toMatchObject({ user: { id: bo.userId }, typing: false });
      expect(Date.parse(cleared.expiresAt)).toBeLessThanOrEqual(Date.now());
      expect(Date.parse(cleared.expiresAt)).toBeGreaterThanOrEqual(stopped - 1000);
    } finally {
      anaEvents.close();
    }
  });

  it('shows each typing member of a group ("Bo and Cy are typing")', async () => {
    const { client } = app();
    const [ana, bo, cy] = [await client.signUp('ana'), await client.signUp('bo'), await client.signUp('cy')];
    const group = await client.createGroup(ana, [bo, cy]);
    const anaEvents = await client.subscribe(EVENTS, ana.accessToken);
    try {
      await type(client, bo, group, true);
      await type(client, cy, group, true);
      const users = [(await typingEvent(anaEvents)).user.id, (await typingEvent(anaEvents)).user.id];
      expect(users).toEqual([bo.userId, cy.userId]);
    } finally {
      anaEvents.close();
    }
  });

  it('answers RATE_LIMITED to a device flooding typing updates', async () => {
    const { client, bo, conversationId } = await app().client.directPair();
    const codes: (string | undefined)[] = [];
    for (let i = 0; i <= TYPING_CALLS_PER_MINUTE; i++) {
      const r = await type(client, bo, conversationId, i % 2 === 0);
      codes.push(r.errors?.[0]?.extensions?.code);
    }
    expect(codes.slice(0, TYPING_CALLS_PER_MINUTE).every((c) => c === undefined)).toBe(true);
    const over = await type(client, bo, conversationId, true);
    expect(over.errors?.[0]?.extensions?.code).toBe('RATE_LIMITED');
    expect(over.errors?.[0]?.extensions?.retryAfterSeconds).toBeGreaterThan(0);
    // Another device of the same user has its own budget.
    const laptop = await client.signIn(bo.handle, bo.password, 'Laptop');
    expect((await type(client, laptop, conversationId, true)).data?.setTyping).toBe(true);
  });
});

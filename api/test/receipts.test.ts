import { describe, expect, it } from 'vitest';
import { encodeGlobalId } from '../src/global-ids.js';
import { backends, nextEvent, type Session, type SseReader, type TestClient, useTestApp } from './harness.js';
import { SyncDevice } from './sync-device.js';

const EVENTS = `subscription { events { __typename ... on ReceiptEvent { conversationId user { id } deliveredUpTo readUpTo } } }`;
const MEMBER_RECEIPTS = `query($id: ID!) { conversation(id: $id) { receipts { user { id } deliveredUpTo deliveredAt readUpTo readAt } } }`;
const MARK_DELIVERED = `mutation($c: ID!, $m: ID!) { markDelivered(conversationId: $c, upTo: $m) { deliveredUpTo readUpTo changed } }`;
const MARK_READ = `mutation($c: ID!, $m: ID!) { markRead(conversationId: $c, upTo: $m) { deliveredUpTo readUpTo changed conversation { unreadCount } } }`;
const STATUS = `query($id: ID!) { node(id: $id) { ... on Message { status receipts { user { id } status } } } }`;
const UNREAD = `query($id: ID!) { node(id: $id) { ... on Conversation { unreadCount } } }`;

const messageId = (id: string) => encodeGlobalId('Message', id);

const nextReceipt = (reader: SseReader, timeoutMs = 3000) => nextEvent(reader, 'ReceiptEvent', timeoutMs);

describe.each(backends)('delivery and read receipts on %s', (backend) => {
  const app = useTestApp(backend);

  const direct = () => app().client.directPair();

  /** Writes messages on a device of `author` and pushes them; returns their global ids, oldest first. */
  async function send(client: TestClient, author: Session, conversationId: string, ...texts: string[]) {
    const device = new SyncDevice(client, author);
    const start = Date.now();
    const sent = texts.map((text, i) => ({ ...device.send(conversationId, text, start + i), createdAt: start + i }));
    const results = await device.push();
    expect(results.every((r) => r.status === 'ACCEPTED')).toBe(true);
    return { device, ids: sent.map((s) => messageId(s.id)), sent };
  }

  const statusOf = async (client: TestClient, session: Session, id: string) =>
    (await client.ok(STATUS, { id }, session.accessToken)).node as { status: string; receipts: { user: { id: string }; status: string }[] };

  const unread = async (client: TestClient, session: Session, conversationId: string) =>
    (await client.ok(UNREAD, { id: conversationId }, session.accessToken)).node.unreadCount as number;

  it('takes a direct message from SENT to DELIVERED to READ, announcing each move to the author', async () => {
    const { client, ana, bo, conversationId } = await direct();
    const {
      ids: [m],
    } = await send(client, ana, conversationId, 'hello bo');
    expect(await statusOf(client, ana, m as string)).toEqual({ status: 'SENT', receipts: [{ user: { id: bo.userId }, status: 'SENT' }] });

    const anaEvents = await client.subscribe(EVENTS, ana.accessToken);
    const delivered = await client.ok(MARK_DELIVERED, { c: conversationId, m }, bo.accessToken);
    expect(delivered.markDelivered).toEqual({ deliveredUpTo: m, readUpTo: null, changed: true });
    expect(await nextReceipt(anaEvents)).toEqual({
      __typename: 'ReceiptEvent',
      conversationId,
      user: { id: bo.userId },
      deliveredUpTo: m,
      readUpTo: null,
    });
    expect((await statusOf(client, ana, m as string)).status).toBe('DELIVERED');

    const read = await client.ok(MARK_READ, { c: conversationId, m }, bo.accessToken);
    expect(read.markRead).toMatchObject({ deliveredUpTo: m, readUpTo: m, changed: true });
    expect(await nextReceipt(anaEvents)).toMatchObject({ user: { id: bo.userId }, deliveredUpTo: m, readUpTo: m });
    expect(await statusOf(client, ana, m as string)).toEqual({ status: 'READ', receipts: [{ user: { id: bo.userId }, status: 'READ' }] });
    anaEvents.close();
  });

  it("lists every member's watermarks with their messages' createdAt, and sends those positions in events", async () => {
    const { client, ana, bo, conversationId } = await direct();
    const { ids, sent } = await send(client, ana, conversationId, 'first', 'second');
    const [first, second] = ids as [string, string];
    const at = (i: number) => new Date(sent[i]?.createdAt ?? 0).toISOString();
    const before = await client.ok(MEMBER_RECEIPTS, { id: conversationId }, bo.accessToken);
    expect(before.conversation.receipts.map((r: { user: { id: string } }) => r.user.id)).toEqual([ana.userId, bo.userId]);
    expect(before.conversation.receipts[1]).toEqual({
      user: { id: bo.userId },
      deliveredUpTo: null,
      deliveredAt: null,
      readUpTo: null,
      readAt: null,
    });

    const anaEvents = await client.subscribe(EVENTS.replace('readUpTo }', 'readUpTo deliveredAt readAt }'), ana.accessToken);
    await client.ok(MARK_DELIVERED, { c: conversationId, m: second }, bo.accessToken);
    expect(await nextReceipt(anaEvents)).toMatchObject({ deliveredUpTo: second, deliveredAt: at(1), readUpTo: null, readAt: null });
    await client.ok(MARK_READ, { c: conversationId, m: first }, bo.accessToken);
    expect(await nextReceipt(anaEvents)).toMatchObject({ deliveredUpTo: second, deliveredAt: at(1), readUpTo: first, readAt: at(0) });
    anaEvents.close();
    const after = await client.ok(MEMBER_RECEIPTS, { id: conversationId }, ana.accessToken);
    expect(after.conversation.receipts[1]).toEqual({
      user: { id: bo.userId },
      deliveredUpTo: second,
      deliveredAt: at(1),
      readUpTo: first,
      readAt: at(0),
    });
  });

  it('counts read as delivered too', async () => {
    const { client, ana, bo, conversationId } = await direct();
    const {
      ids: [m],
    } = await send(client, ana, conversationId, 'straight to read');
    const read = await client.ok(MARK_READ, { c: conversationId, m }, bo.accessToken);
    expect(read.markRead).toMatchObject({ deliveredUpTo: m, readUpTo: m });
    expect((await statusOf(client, ana, m as string)).status).toBe('READ');
  });

  it('never moves a watermark back: marking an older message changes nothing and announces nothing', async () => {
    const { client, ana, bo, conversationId } = await direct();
    const {
      ids: [older, newer],
    } = await send(client, ana, conversationId, 'one', 'two');
    await client.ok(MARK_READ, { c: conversationId, m: newer }, bo.accessToken);
    const anaEvents = await client.subscribe(EVENTS, ana.accessToken);

    const delivered = await client.ok(MARK_DELIVERED, { c: conversationId, m: older }, bo.accessToken);
    expect(delivered.markDelivered).toEqual({ deliveredUpTo: newer, readUpTo: newer, changed: false });
    const read = await client.ok(MARK_READ, { c: conversationId, m: older }, bo.accessToken);
    expect(read.markRead).toMatchObject({ deliveredUpTo: newer, readUpTo: newer, changed: false });
    await expect(nextReceipt(anaEvents, 300)).rejects.toThrow(/timed out/);
    expect((await statusOf(client, ana, newer as string)).status).toBe('READ');
    expect((await statusOf(client, ana, older as string)).status).toBe('READ');
    anaEvents.close();
  });

  it('moves the delivered watermark alone past the read one, and read catches up later', async () => {
    const { client, ana, bo, conversationId } = await direct();
    const {
      ids: [first, second],
    } = await send(client, ana, conversationId, 'first', 'second');
    await client.ok(MARK_READ, { c: conversationId, m: first }, bo.accessToken);
    const delivered = await client.ok(MARK_DELIVERED, { c: conversationId, m: second }, bo.accessToken);
    expect(delivered.markDelivered).toEqual({ deliveredUpTo: second, readUpTo: first, changed: true });
    expect((await statusOf(client, ana, first as string)).status).toBe('READ');
    expect((await statusOf(client, ana, second as string)).status).toBe('DELIVERED');
  });

  it('shows a group message per member and as a whole', async () => {
    const { client } = app();
    const [ana, bo, cy] = [await client.signUp('ana'), await client.signUp('bo'), await client.signUp('cy')];
    const conversationId = await client.createGroup(ana, [bo, cy]);
    const {
      ids: [m],
    } = await send(client, ana, conversationId, 'hi all');
    const cyEvents = await client.subscribe(EVENTS, cy.accessToken);

    await client.ok(MARK_READ, { c: conversationId, m }, bo.accessToken);
    expect(await nextReceipt(cyEvents)).toMatchObject({ user: { id: bo.userId }, readUpTo: m });
    const afterBo = await statusOf(client, ana, m as string);
    expect(afterBo.status).toBe('SENT');
    expect(afterBo.receipts).toEqual(
      expect.arrayContaining([
        { user: { id: bo.userId }, status: 'READ' },
        { user: { id: cy.userId }, status: 'SENT' },
      ]),
    );
    expect(afterBo.receipts).toHaveLength(2);

    await client.ok(MARK_DELIVERED, { c: conversationId, m }, cy.accessToken);
    const afterCy = await statusOf(client, ana, m as string);
    expect(afterCy.status).toBe('DELIVERED');
    expect(afterCy.receipts).toContainEqual({ user: { id: cy.userId }, status: 'DELIVERED' });

    await client.ok(MARK_READ, { c: conversationId, m }, cy.accessToken);
    expect((await statusOf(client, bo, m as string)).status).toBe('READ');

    const {
      ids: [fromBo],
    } = await send(client, bo, conversationId, 'from bo');
    const bos = await statusOf(client, ana, fromBo as string);
    expect(bos.status).toBe('SENT');
    expect(bos.receipts.map((r) => r.user.id).sort()).toEqual([ana.userId, cy.userId].sort());
    cyEvents.close();
  });

  it("counts a member's unread messages: by others, after their read watermark, not deleted", async () => {
    const { client, ana, bo, conversationId } = await direct();
    const { device, ids, sent } = await send(client, ana, conversationId, 'a', 'b', 'c');
    expect(await unread(client, bo, conversationId)).toBe(3);
    expect(await unread(client, ana, conversationId)).toBe(0);

    await client.ok(MARK_DELIVERED, { c: conversationId, m: ids[2] }, bo.accessToken);
    expect(await unread(client, bo, conversationId)).toBe(3);
    const read = await client.ok(MARK_READ, { c: conversationId, m: ids[1] }, bo.accessToken);
    expect(read.markRead.conversation.unreadCount).toBe(1);

    const last = sent[2] as { id: string; segment: number };
    device.delete(conversationId, last.segment, last.id);
    await device.push();
    expect(await unread(client, bo, conversationId)).toBe(0);

    await send(client, bo, conversationId, 'my own');
    expect(await unread(client, bo, conversationId)).toBe(0);
    expect(await unread(client, ana, conversationId)).toBe(1);
  });

  it('refuses non-members and messages of other conversations with NOT_FOUND', async () => {
    const { client, ana, bo, conversationId } = await direct();
    const {
      ids: [m],
    } = await send(client, ana, conversationId, 'private');
    const eve = await client.signUp('eve');
    for (const mutation of [MARK_DELIVERED, MARK_READ]) {
      const r = await client.gql(mutation, { c: conversationId, m }, { token: eve.accessToken });
      expect(r.errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
    }
    const other = await client.ok('mutation($u: ID!) { openDirectConversation(userId: $u) { id } }', { u: eve.userId }, ana.accessToken);
    const {
      ids: [elsewhere],
    } = await send(client, ana, other.openDirectConversation.id, 'to eve');
    const wrong = await client.gql(MARK_READ, { c: conversationId, m: elsewhere }, { token: bo.accessToken });
    expect(wrong.errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
    const typo = await client.gql(MARK_READ, { c: conversationId, m: conversationId }, { token: bo.accessToken });
    expect(typo.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    expect((await statusOf(client, ana, m as string)).status).toBe('SENT');
  });

  it("records the marking device's sync time", async () => {
    const { client, ana, bo, conversationId } = await direct();
    const {
      ids: [m],
    } = await send(client, ana, conversationId, 'sync me');
    const DEVICES = '{ viewer { devices(first: 10) { edges { node { isCurrent lastSyncAt } } } } }';
    const current = async () =>
      (await client.ok(DEVICES, {}, bo.accessToken)).viewer.devices.edges.map((e: any) => e.node).find((d: any) => d.isCurrent);
    expect((await current()).lastSyncAt).toBeNull();
    const before = Date.now();
    await client.ok(MARK_DELIVERED, { c: conversationId, m }, bo.accessToken);
    const syncedAt = Date.parse((await current()).lastSyncAt);
    expect(syncedAt).toBeGreaterThanOrEqual(before - 1000);
    expect(syncedAt).toBeLessThanOrEqual(Date.now() + 1000);
  });
});

import { createMessage } from '@mailboat/schema';
import { sql } from 'kysely';
import { v7 as uuidv7 } from 'uuid';
import { describe, expect, it } from 'vitest';
import { encodeGlobalId } from '../src/global-ids.js';
import { backends, type Session, type TestClient, useTestApp } from './harness.js';
import { SyncDevice } from './sync-device.js';

type Body = { messages: Record<string, any>[]; nextCursor: string; hasMore: boolean };

const msg = (uuid: string) => encodeGlobalId('Message', uuid);

async function get(client: TestClient, query: string, token?: string) {
  const res = await client.request(`/sync/messages${query}`, { headers: token ? { authorization: `Bearer ${token}` } : {} });
  return { status: res.status, headers: res.headers, body: (await res.json()) as any };
}

/** Follows nextCursor from `query` until hasMore is false; every page must be a 200. */
async function fetchAll(client: TestClient, token: string, query: string) {
  const messages: Record<string, any>[] = [];
  let pages = 0;
  for (let next = query; ; pages++) {
    const { status, body } = await get(client, next, token);
    expect(status, JSON.stringify(body)).toBe(200);
    messages.push(...(body as Body).messages);
    if (!body.hasMore) return { messages, nextCursor: body.nextCursor as string, pages: pages + 1 };
    next = `?limit=${new URLSearchParams(query).get('limit') ?? 100}&cursor=${body.nextCursor}`;
  }
}

/**
 * Fetches until every id in `ids` is there. On Postgres the feed stops below the oldest
 * transaction running anywhere on the server, which other test files share, so a row just
 * committed can stay hidden for a moment; ordering is asserted on single reads only.
 */
async function fetchUntil(client: TestClient, token: string, query: string, ids: string[]) {
  for (let attempt = 0; ; attempt++) {
    const all = await fetchAll(client, token, query);
    if (ids.every((id) => all.messages.some((m) => m.id === id)) || attempt === 200) return all;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

describe.each(backends)('GET /sync/messages on %s', (backend) => {
  const app = useTestApp(backend);

  const people = () => app().client.directPair();

  const expectError = (r: { status: number; body: any }, status: number, code: string) => {
    expect(r.status).toBe(status);
    expect(r.body).toEqual({ errors: [{ message: expect.any(String), extensions: { code } }] });
  };

  it("returns the caller's missed messages as plain JSON with global IDs", async () => {
    const { client, ana, bo, conversationId } = await people();
    const phone = new SyncDevice(client, ana);
    const createdAt = Date.now();
    const first = phone.send(conversationId, 'hello', createdAt);
    const replyId = uuidv7();
    createMessage(
      phone.doc(conversationId, first.segment),
      { id: replyId, author: ana.userId, createdAt: createdAt + 1, text: 'still there?', replyTo: first.id },
      'local',
    );
    await phone.push();
    const bos = new SyncDevice(client, bo);
    await bos.pull([{ conversationId, segment: first.segment }]);
    bos.react(conversationId, first.segment, first.id, '🎉');
    await bos.push();

    const { messages } = await fetchUntil(client, bo.accessToken, '?since=2000-01-01T00:00:00Z', [msg(first.id), msg(replyId)]);
    const hello = messages.find((m) => m.id === msg(first.id));
    expect(hello).toEqual({
      id: msg(first.id),
      conversationId,
      authorId: ana.userId,
      createdAt: new Date(createdAt).toISOString(),
      text: 'hello',
      replyTo: null,
      editedAt: null,
      deleted: false,
      reactions: [{ userId: bo.userId, emoji: '🎉' }],
      versions: [{ text: 'hello', editedAt: null, isCurrent: true, deviceId: null }], // a device is shown to its author only
      attachments: [],
      change: 'edited', // changed (a reaction) after it was created
      changedAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/),
    });
    expect(messages.find((m) => m.id === msg(replyId))).toMatchObject({ replyTo: msg(first.id), change: 'new', text: 'still there?' });
    expect(messages).toHaveLength(2);
  });

  it('pages with nextCursor through every change exactly once, then continues from the last cursor', async () => {
    const { client, ana, bo, conversationId } = await people();
    const phone = new SyncDevice(client, ana);
    const written = [];
    for (let i = 0; i < 5; i++) written.push(phone.send(conversationId, `in one push ${i}`));
    await phone.push();
    for (let i = 0; i < 3; i++) {
      written.push(phone.send(conversationId, `alone ${i}`));
      await phone.push();
    }
    const sent = written.map((m) => msg(m.id));
    await fetchUntil(client, bo.accessToken, '?limit=500', sent);

    const paged = await fetchAll(client, bo.accessToken, '?limit=3');
    expect(paged.pages).toBe(3);
    expect(paged.messages.map((m) => m.id).sort()).toEqual([...sent].sort());
    expect(paged.messages.every((m) => m.change === 'new')).toBe(true);

    const toEdit = written[2] as { id: string; segment: number };
    const toDelete = written[6] as { id: string; segment: number };
    phone.edit(conversationId, toEdit.segment, toEdit.id, 'changed');
    phone.delete(conversationId, toDelete.segment, toDelete.id);
    await phone.push();
    const [edited, deleted] = [msg(toEdit.id), msg(toDelete.id)];
    const next = await fetchUntil(client, bo.accessToken, `?cursor=${paged.nextCursor}`, [edited, deleted]);
    expect(next.messages.map((m) => [m.id, m.change]).sort()).toEqual(
      [
        [edited, 'edited'],
        [deleted, 'deleted'],
      ].sort(),
    );
    expect(next.messages.find((m) => m.id === deleted)).toMatchObject({ text: '', deleted: true, versions: [] });
    expect(next.messages.find((m) => m.id === edited)?.versions.map((v: any) => [v.text, v.isCurrent])).toEqual([
      ['in one push 2', false],
      ['changed', true],
    ]);
    const nothing = await get(client, `?cursor=${next.nextCursor}`, bo.accessToken);
    expect(nothing.body).toEqual({ messages: [], nextCursor: expect.any(String), hasMore: false });
  });

  it('selects changes at or after `since`, and shares its cursor with the GraphQL feed', async () => {
    const { client, ana, bo, conversationId } = await people();
    const phone = new SyncDevice(client, ana);
    const old = phone.send(conversationId, 'old news');
    await phone.push();
    const fresh = phone.send(conversationId, 'fresh');
    await phone.push();
    await fetchUntil(client, bo.accessToken, '', [msg(old.id), msg(fresh.id)]);
    // Backdate one change; its transaction id (the cursor order) stays as it was.
    await sql`update messages set changed_at = now() - interval '2 hours' where id = ${old.id}`.execute(app().deps.db);

    const since = new Date(Date.now() - 60 * 60_000).toISOString();
    const r = await get(client, `?since=${encodeURIComponent(since)}`, bo.accessToken);
    expect(r.status).toBe(200);
    expect(r.body.messages.map((m: any) => m.id)).toEqual([msg(fresh.id)]);
    const plusOffset = since.replace('Z', '+00:00'); // an unencoded "+" arrives as a space: still understood
    expect((await get(client, `?since=${plusOffset}`, bo.accessToken)).body.messages).toEqual(r.body.messages);
    expect((await get(client, '?since=2999-01-01T00:00:00Z', bo.accessToken)).body).toMatchObject({ messages: [], hasMore: false });

    const gql = await client.ok('query { changes(first: 1) { pageInfo { endCursor } } }', {}, bo.accessToken);
    const rest = await get(client, `?cursor=${gql.changes.pageInfo.endCursor}`, bo.accessToken);
    expect(rest.body.messages.map((m: any) => m.id)).toEqual([msg(fresh.id)]);
  });

  it("shows nothing of other people's conversations", async () => {
    const { client, ana, bo, conversationId } = await people();
    const carol: Session = await client.signUp('carol');
    const phone = new SyncDevice(client, ana);
    const { id } = phone.send(conversationId, 'private');
    await phone.push();
    await fetchUntil(client, bo.accessToken, '', [msg(id)]);
    expect((await get(client, '', carol.accessToken)).body).toEqual({ messages: [], nextCursor: expect.any(String), hasMore: false });
  });

  it('answers 401 without a usable token and for a revoked device', async () => {
    const { client, ana } = await people();
    expectError(await get(client, '?since=2026-01-01T00:00:00Z'), 401, 'UNAUTHENTICATED');
    expectError(await get(client, '', 'not-a-token'), 401, 'UNAUTHENTICATED');
    const laptop = await client.signIn(ana.handle, ana.password, 'Laptop');
    await client.ok('mutation($id: ID!) { revokeDevice(id: $id) { id } }', { id: laptop.deviceId }, ana.accessToken);
    const revoked = await get(client, '', laptop.accessToken);
    expectError(revoked, 401, 'DEVICE_REVOKED');
    expect(revoked.headers.get('www-authenticate')).toBe('Bearer');
  });

  it('answers 400 for a bad since, limit or cursor, and 405 for other methods', async () => {
    const { client, ana } = await people();
    const otherCursor = Buffer.from(`${Date.now()}:${uuidv7()}`).toString('base64url');
    for (const query of [
      '?since=yesterday',
      '?since=2026-11-22',
      '?since=2026-13-01T00:00:00Z',
      '?limit=0',
      '?limit=501',
      '?limit=ten',
      '?limit=1.5',
      '?cursor=nonsense',
      `?cursor=${otherCursor}`,
      '?cursor=',
    ]) {
      const r = await get(client, query, ana.accessToken);
      expect(r.status, query).toBe(400);
      expect(r.body.errors[0].extensions.code, query).toBe('BAD_USER_INPUT');
    }
    expect((await get(client, '?limit=500', ana.accessToken)).status).toBe(200);
    const post = await client.request('/sync/messages', { method: 'POST', headers: { authorization: `Bearer ${ana.accessToken}` } });
    expect(post.status).toBe(405);
    expect(post.headers.get('allow')).toContain('GET');
  });
});

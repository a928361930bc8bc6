import { createMessage, limits, type NewMessage, segmentOf } from '@mailboat/schema';
import { sql } from 'kysely';
import { v7 as uuidv7 } from 'uuid';
import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { decodeGlobalId } from '../src/global-ids.js';
import { backends, type Session, type TestClient, useTestApp } from './harness.js';
import { b64, PUSH } from './sync-device.js';

// What the push path checks against the conversation, beyond one segment's document: a
// message is not dated before its conversation was created, and a reply names a message of
// the same conversation that exists (stored in any segment, or created earlier in the push).

const HOUR = 3_600_000;

describe.each(backends)('pushes checked against their conversation on %s', (backend) => {
  const app = useTestApp(backend);

  /** Ana and Bo's conversation, created `age` ms ago (its created_at moved back). */
  async function conversation(client: TestClient, age = 0): Promise<{ ana: Session; id: string; createdAt: number }> {
    const { ana, conversationId } = await client.directPair();
    const raw = decodeGlobalId(conversationId).id;
    const row = await sql<{ created_at: Date }>`
      update conversations set created_at = created_at - make_interval(secs => ${age / 1000}) where id = ${raw}
      returning created_at`.execute(app().deps.db);
    return { ana, id: conversationId, createdAt: new Date((row.rows[0] as { created_at: Date }).created_at).getTime() };
  }

  let clientId = 1;
  /** A device's update creating `m` (its own Yjs client), for the segment of its createdAt. */
  function creation(author: Session, m: Omit<NewMessage, 'author'>) {
    const doc = new Y.Doc();
    doc.clientID = 7_000_000 + clientId++;
    createMessage(doc, { ...m, author: author.userId });
    return { segment: segmentOf(m.createdAt), update: Y.encodeStateAsUpdate(doc) };
  }

  async function push(client: TestClient, session: Session, conversationId: string, updates: { segment: number; update: Uint8Array }[]) {
    const data = await client.ok(
      PUSH,
      { updates: updates.map((u) => ({ conversationId, segment: u.segment, update: b64(u.update) })) },
      session.accessToken,
    );
    return data.pushUpdates.results.map((r: { status: string; error: { code: string; message: string } | null }) =>
      r.error ? `${r.error.code}: ${r.error.message}` : r.status,
    );
  }

  it('refuses a message dated before its conversation was created (less the clock skew a device may have), and accepts one within it', async () => {
    const { client } = app();
    const c = await conversation(client, 2 * HOUR);
    const earliest = c.createdAt - limits.futureSkewMs;
    const results = await push(client, c.ana, c.id, [
      creation(c.ana, { id: uuidv7(), createdAt: 1_000, text: 'in 1970' }),
      creation(c.ana, { id: uuidv7(), createdAt: earliest - 1, text: 'just before' }),
      creation(c.ana, { id: uuidv7(), createdAt: earliest, text: 'from a clock a little behind' }),
      creation(c.ana, { id: uuidv7(), createdAt: c.createdAt, text: 'at its creation' }),
    ]);
    expect(results[0]).toMatch(/^FORBIDDEN_UPDATE: createdAt must be/);
    expect(results[1]).toMatch(/^FORBIDDEN_UPDATE: createdAt must be/);
    expect(results.slice(2)).toEqual(['ACCEPTED', 'ACCEPTED']);
  });

  it('accepts a reply to a message of the conversation, stored in another segment or created earlier in the push', async () => {
    const { client } = app();
    const c = await conversation(client, 3 * HOUR);
    const now = Date.now();
    const old = uuidv7();
    expect(await push(client, c.ana, c.id, [creation(c.ana, { id: old, createdAt: now - 2 * HOUR, text: 'long ago' })])).toEqual([
      'ACCEPTED',
    ]);
    const earlier = uuidv7();
    const results = await push(client, c.ana, c.id, [
      creation(c.ana, { id: uuidv7(), createdAt: now, text: 'to the old one', replyTo: old }),
      creation(c.ana, { id: earlier, createdAt: now - HOUR, text: 'an hour ago' }),
      creation(c.ana, { id: uuidv7(), createdAt: now + 1, text: 'to the one just pushed', replyTo: earlier }),
    ]);
    expect(results).toEqual(['ACCEPTED', 'ACCEPTED', 'ACCEPTED']);
  });

  it("refuses a reply to no message, to another conversation's message, or to one created later in the push", async () => {
    const { client } = app();
    const c = await conversation(client, HOUR);
    const elsewhere = await conversation(client, HOUR);
    const now = Date.now();
    const theirs = uuidv7();
    expect(await push(client, elsewhere.ana, elsewhere.id, [creation(elsewhere.ana, { id: theirs, createdAt: now, text: 'x' })])).toEqual([
      'ACCEPTED',
    ]);
    const later = uuidv7();
    const results = await push(client, c.ana, c.id, [
      creation(c.ana, { id: uuidv7(), createdAt: now, text: 'to nothing', replyTo: uuidv7() }),
      creation(c.ana, { id: uuidv7(), createdAt: now, text: 'to another conversation', replyTo: theirs }),
      creation(c.ana, { id: uuidv7(), createdAt: now, text: 'to a later one', replyTo: later }),
      creation(c.ana, { id: later, createdAt: now - HOUR / 2, text: 'later in the push' }),
      creation(c.ana, { id: uuidv7(), createdAt: now, text: 'fine' }),
    ]);
    const refusal = 'FORBIDDEN_UPDATE: replyTo names no message of this conversation';
    expect(results).toEqual([refusal, refusal, refusal, 'ACCEPTED', 'ACCEPTED']);
  });
});

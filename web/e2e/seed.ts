import { createMessage, parseGlobalId, segmentOf } from '@mailboat/schema';
import { v7 as uuidv7 } from 'uuid';
import * as Y from 'yjs';
import { connectPostgres } from '../../api/src/db/connect.js';
import { PASSWORD } from './app.js';

/** Talks to the API over HTTP from the test process, to set up history faster than typing. */
export async function gql(appUrl: string, query: string, variables: Record<string, unknown>, token?: string) {
  const res = await fetch(new URL('/graphql', appUrl), {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify({ query, variables }),
  });
  const body = (await res.json()) as { data?: any; errors?: unknown[] };
  if (body.errors) throw new Error(JSON.stringify(body.errors));
  return body.data;
}

/** Signs a new account up (password PASSWORD) from a device of its own and returns its access token and user id. */
export async function signUp(appUrl: string, handle: string, displayName: string) {
  const data = await gql(appUrl, `mutation($i: SignUpInput!) { signUp(input: $i) { accessToken user { id } } }`, {
    i: {
      handle,
      displayName,
      password: PASSWORD,
      refreshTokenDelivery: 'BODY',
      device: { name: 'seeder', platform: 'test', appVersion: '1' },
    },
  });
  return { token: data.signUp.accessToken as string, userId: data.signUp.user.id as string };
}

/** Signs in as a separate device and returns its access token and user id. */
export async function signIn(appUrl: string, handle: string, password: string) {
  const data = await gql(appUrl, `mutation($i: SignInInput!) { signIn(input: $i) { accessToken user { id } } }`, {
    i: { handle, password, refreshTokenDelivery: 'BODY', device: { name: 'seeder', platform: 'test', appVersion: '1' } },
  });
  return { token: data.signIn.accessToken as string, userId: data.signIn.user.id as string };
}

/**
 * Dates a conversation's start back to `at` (epoch ms) in the API's database: no message may be
 * older than its conversation (the write rules' notBefore), so history written "hours ago" needs
 * a conversation started before that. `conversationId` is its global ID (cnv_...).
 */
export async function backdateConversation(databaseUrl: string, conversationId: string, at: number): Promise<void> {
  const db = connectPostgres(databaseUrl, 1);
  try {
    const id = parseGlobalId(conversationId)?.id;
    if (!id) throw new Error(`${conversationId} is not a global ID`);
    await db
      .updateTable('conversations')
      .set({ created_at: new Date(at) })
      .where('id', '=', id)
      .execute();
  } finally {
    await db.destroy();
  }
}

/**
 * Writes `texts` as Yjs messages by `author`, spread evenly from `from` to `to` (epoch ms, so
 * they may fall into several segment documents), and pushes them, at most `perUpdate` messages
 * to one update; returns the texts in display order.
 */
export async function seedMessages(
  appUrl: string,
  author: { token: string; userId: string },
  conversationId: string,
  texts: string[],
  span: { from: number; to: number },
  perUpdate = 1,
) {
  const at = (i: number) => span.from + Math.floor(((span.to - span.from) * i) / Math.max(1, texts.length - 1));
  const chunks: { segment: number; items: { text: string; createdAt: number }[] }[] = [];
  texts.forEach((text, i) => {
    const createdAt = at(i);
    const last = chunks.at(-1);
    if (last && last.segment === segmentOf(createdAt) && last.items.length < perUpdate) last.items.push({ text, createdAt });
    else chunks.push({ segment: segmentOf(createdAt), items: [{ text, createdAt }] });
  });
  const docs = new Map<number, Y.Doc>();
  const updates = chunks.map(({ segment, items }) => {
    const doc = docs.get(segment) ?? new Y.Doc();
    docs.set(segment, doc);
    let update: Uint8Array = new Uint8Array();
    doc.once('update', (u: Uint8Array) => {
      update = u;
    });
    doc.transact(() => {
      for (const m of items)
        createMessage(doc, { id: uuidv7({ msecs: m.createdAt }), author: author.userId, createdAt: m.createdAt, text: m.text });
    }, 'seed');
    return { conversationId, segment, update: Buffer.from(update).toString('base64') };
  });
  // Requests of at most 100 updates and about 2 MB (the API takes bodies up to 4 MB).
  const requests: (typeof updates)[] = [[]];
  let bytes = 0;
  for (const u of updates) {
    const current = requests.at(-1) as typeof updates;
    if (current.length === 100 || (current.length > 0 && bytes + u.update.length > 2_000_000)) {
      requests.push([u]);
      bytes = u.update.length;
    } else {
      current.push(u);
      bytes += u.update.length;
    }
  }
  for (const batch of requests) {
    const data = await gql(
      appUrl,
      `mutation($u: [SegmentUpdateInput!]!) { pushUpdates(updates: $u) { results { status error { code message } } } }`,
      { u: batch },
      author.token,
    );
    const refused = data.pushUpdates.results.filter((r: { status: string }) => r.status !== 'ACCEPTED');
    if (refused.length > 0) throw new Error(`seed refused: ${JSON.stringify(refused)}`);
  }
  return texts;
}

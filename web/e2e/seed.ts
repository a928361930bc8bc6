import { createMessage, segmentOf } from '@mailboat/schema';
import * as Y from 'yjs';

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

/** Signs in as a separate device and returns its access token and user id. */
export async function signIn(appUrl: string, handle: string, password: string) {
  const data = await gql(appUrl, `mutation($i: SignInInput!) { signIn(input: $i) { accessToken user { id } } }`, {
    i: { handle, password, refreshTokenDelivery: 'BODY', device: { name: 'seeder', platform: 'test', appVersion: '1' } },
  });
  return { token: data.signIn.accessToken as string, userId: data.signIn.user.id as string };
}

function uuidv7(ms: number): string {
  const b = crypto.getRandomValues(new Uint8Array(16));
  for (let i = 0; i < 6; i++) b[i] = Math.floor(ms / 2 ** (8 * (5 - i))) % 256;
  b[6] = ((b[6] as number) & 0x0f) | 0x70;
  b[8] = ((b[8] as number) & 0x3f) | 0x80;
  const h = [...b].map((x) => x.toString(16).padStart(2, '0')).join('');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

/**
 * Writes `texts` as Yjs messages spread over the past `hours` hours (so they fall into several
 * segment documents) and pushes them; returns the texts in display order.
 */
export async function seedHistory(
  appUrl: string,
  author: { token: string; userId: string },
  conversationId: string,
  texts: string[],
  hours: number,
) {
  const now = Date.now();
  const docs = new Map<number, Y.Doc>();
  const updates: { conversationId: string; segment: number; update: string }[] = [];
  texts.forEach((text, i) => {
    const createdAt = now - hours * 3_600_000 + Math.floor((i * hours * 3_600_000) / texts.length);
    const segment = segmentOf(createdAt);
    const doc = docs.get(segment) ?? new Y.Doc();
    docs.set(segment, doc);
    doc.once('update', (u: Uint8Array) => updates.push({ conversationId, segment, update: Buffer.from(u).toString('base64') }));
    createMessage(doc, { id: uuidv7(createdAt), author: author.userId, createdAt, text }, 'seed');
  });
  const data = await gql(
    appUrl,
    `mutation($u: [SegmentUpdateInput!]!) { pushUpdates(updates: $u) { results { status error { code message } } } }`,
    { u: updates },
    author.token,
  );
  const refused = data.pushUpdates.results.filter((r: { status: string }) => r.status !== 'ACCEPTED');
  if (refused.length > 0) throw new Error(`seed refused: ${JSON.stringify(refused)}`);
  return texts;
}

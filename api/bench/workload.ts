import { createMessage, SEGMENT_MS, segmentOf } from '@mailboat/schema';
import { v7 as uuidv7 } from 'uuid';
import * as Y from 'yjs';
import { gql } from './lib.js';

/** Building blocks of the benchmark workloads: accounts, conversations, and Yjs message updates. */

export const TEXT = 'x'.repeat(180);
export const PUSH = `mutation($updates: [SegmentUpdateInput!]!) { pushUpdates(updates: $updates) { results { status } } }`;
export const DIFFS = `query($segments: [SegmentStateInput!]!) { segmentDiffs(segments: $segments) { conversationId segment update stateVector } }`;
const SIGN_UP = `mutation($i: SignUpInput!) { signUp(input: $i) { accessToken user { id } } }`;
const SIGN_IN = `mutation($i: SignInInput!) { signIn(input: $i) { accessToken } }`;
const DEVICE = { name: 'bench', platform: 'bench', appVersion: '1' };
const PASSWORD = 'bench password';

export type User = { handle: string; token: string; userId: string };
let users = 0;

export async function signUp(base: string, prefix = 'u'): Promise<User> {
  const handle = `${prefix}${users++}_${Math.random().toString(36).slice(2, 8)}`;
  const { signUp: s } = await gql(base, SIGN_UP, {
    i: { handle, password: PASSWORD, displayName: handle, device: DEVICE, refreshTokenDelivery: 'BODY' },
  });
  return { handle, token: s.accessToken, userId: s.user.id };
}

/** Another device of `user`: its access token. */
export async function signIn(base: string, user: User): Promise<string> {
  return (await gql(base, SIGN_IN, { i: { handle: user.handle, password: PASSWORD, device: DEVICE, refreshTokenDelivery: 'BODY' } })).signIn
    .accessToken;
}

export async function openDirect(base: string, a: User, b: User): Promise<string> {
  return (await gql(base, 'mutation($u: ID!) { openDirectConversation(userId: $u) { id } }', { u: b.userId }, a.token))
    .openDirectConversation.id;
}

export async function createGroup(base: string, owner: User, members: User[]): Promise<string> {
  const q = 'mutation($i: CreateGroupConversationInput!) { createGroupConversation(input: $i) { id } }';
  return (await gql(base, q, { i: { title: 'bench', memberIds: members.map((m) => m.userId) } }, owner.token)).createGroupConversation.id;
}

export const b64 = (u: Uint8Array) => Buffer.from(u).toString('base64');

/**
 * A device writing into one conversation: each call to `next` writes `count` new messages
 * (created `createdAt`, in that segment) and returns them as one Yjs update, ready to push.
 */
export class Writer {
  private readonly docs = new Map<number, Y.Doc>();
  constructor(
    readonly conversationId: string,
    readonly author: string,
  ) {}

  next(count = 1, createdAt = Date.now(), text = TEXT): { conversationId: string; segment: number; update: string } {
    const segment = segmentOf(createdAt);
    let doc = this.docs.get(segment);
    if (!doc) {
      doc = new Y.Doc();
      this.docs.set(segment, doc);
    }
    const sv = Y.encodeStateVector(doc);
    doc.transact(() => {
      const last = (segment + 1) * SEGMENT_MS - 1;
      for (let i = 0; i < count; i++)
        createMessage(doc, { id: uuidv7(), author: this.author, createdAt: Math.min(createdAt + i, last), text });
    });
    const update = Y.encodeStateAsUpdate(doc, sv);
    // History writers never look back: keep documents small.
    if (this.docs.size > 2) this.docs.delete(this.docs.keys().next().value as number);
    return { conversationId: this.conversationId, segment, update: b64(update) };
  }
}

/** Pushes `updates` in pushes of `perPush`, `parallel` pushes at a time. */
export async function pushAll(base: string, token: string, updates: unknown[], perPush = 50, parallel = 2): Promise<void> {
  const chunks: unknown[][] = [];
  for (let i = 0; i < updates.length; i += perPush) chunks.push(updates.slice(i, i + perPush));
  await Promise.all(
    Array.from({ length: parallel }, async () => {
      for (let chunk = chunks.shift(); chunk; chunk = chunks.shift()) await gql(base, PUSH, { updates: chunk }, token);
    }),
  );
}

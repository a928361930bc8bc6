import { performance } from 'node:perf_hooks';
import { createMessage, SEGMENT_MS, segmentOf } from '@mailboat/schema';
import { v7 as uuidv7 } from 'uuid';
import * as Y from 'yjs';
import { gql } from './lib.js';

/** Building blocks of the benchmark workloads: accounts, conversations, and Yjs message updates. */

/** Characters in every benchmark message's text. */
export const TEXT_LENGTH = 180;

const WORDS = (
  'the a to and of in is it you that for on was with he she they we be at this have from or one had by word but not what all were ' +
  'when your can said there use an each which do how their if will up other about out many then them these so some her would ' +
  'make like him into time has look two more write go see number no way could people my than first water been call who oil its ' +
  'now find long down day did get come made may part lunch tomorrow meeting sounds great thanks see you later photo train late ' +
  'sorry running ten minutes coffee weekend plans dinner tonight kids school office home done yes maybe okay 3pm 7:30 friday'
).split(' ');
let seed = 0x6d61696c;

/**
 * A message's text: TEXT_LENGTH characters of chat-like words, different for every call and the
 * same sequence in every run (a seeded PRNG). Realistic text matters since responses are
 * gzipped: a repeated character would compress to almost nothing and flatter the byte figures.
 */
export function messageText(): string {
  let text = '';
  while (text.length < TEXT_LENGTH) {
    // mulberry32
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), seed | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    const r = ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    text += (text ? ' ' : '') + WORDS[Math.floor(r * WORDS.length)];
  }
  return text.slice(0, TEXT_LENGTH);
}
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

  next(count = 1, createdAt = Date.now(), text?: string): { conversationId: string; segment: number; update: string } {
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
        createMessage(doc, { id: uuidv7(), author: this.author, createdAt: Math.min(createdAt + i, last), text: text ?? messageText() });
    });
    const update = Y.encodeStateAsUpdate(doc, sv);
    // History writers never look back: keep documents small.
    if (this.docs.size > 2) this.docs.delete(this.docs.keys().next().value as number);
    return { conversationId: this.conversationId, segment, update: b64(update) };
  }
}

const EVENTS = JSON.stringify({ query: 'subscription { events { ... on SegmentUpdatedEvent { update } } }' });
const UPDATE = /"update":"([^"]+)"/g;

/**
 * Opens an SSE `events` stream as `user` and calls `arrived(update)` (base64) for each segment
 * update it delivers, with the arrival time. Resolves once the stream is open.
 */
export async function subscribe(base: string, user: User, arrived: (update: string, at: number) => void): Promise<AbortController> {
  const controller = new AbortController();
  const res = await fetch(`${base}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'text/event-stream', authorization: `Bearer ${user.token}` },
    body: EVENTS,
    signal: controller.signal,
  });
  const reader = (res.body as ReadableStream<Uint8Array>).getReader();
  const decoder = new TextDecoder();
  void (async () => {
    let rest = '';
    try {
      for (;;) {
        const { done, value } = await reader.read();
        if (done) return;
        const at = performance.now();
        const text = rest + decoder.decode(value, { stream: true });
        const cut = text.lastIndexOf('\n\n');
        rest = cut < 0 ? text : text.slice(cut + 2);
        for (const m of (cut < 0 ? '' : text.slice(0, cut)).matchAll(UPDATE)) arrived(m[1] as string, at);
      }
    } catch {
      // aborted
    }
  })();
  return controller;
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

import { createMessage, segmentOf } from '@mailboat/schema';
import { v7 as uuidv7 } from 'uuid';
import * as Y from 'yjs';
import type { Session, TestClient } from '../harness.js';
import { b64, PUSH } from '../sync-device.js';

/** Settings the hostile-input test runs under: small enough limits to hit, large enough for honest traffic. */
export const HOSTILE_LIMITS = { MAX_BODY_BYTES: String(64 * 1024), MAX_QUERY_DEPTH: '6', MAX_ALIASES: '20', MAX_QUERY_COST: '400' };

export type Attack = {
  name: string;
  /** Sends one hostile request; returns what was wrong with the answer, or undefined when it was the expected refusal. */
  run: (client: TestClient, random: () => number) => Promise<string | undefined>;
};

const garbage = (random: () => number, length: number) => Uint8Array.from({ length }, () => Math.floor(random() * 256));

const codesOf = (errors: { extensions?: Record<string, any> }[] | undefined) => (errors ?? []).map((e) => e.extensions?.code);

/** Pushes `update` as `mallory`; expects it refused with `code`, nothing stored. */
async function pushExpecting(client: TestClient, mallory: Session, conversationId: string, update: Uint8Array, code: string) {
  const r = await client.gql(
    PUSH,
    { updates: [{ conversationId, segment: segmentOf(Date.now()), update: b64(update) }] },
    { token: mallory.accessToken },
  );
  const result = r.data?.pushUpdates?.results?.[0];
  if (result?.status === 'REFUSED' && result.error?.code === code) return undefined;
  return `expected REFUSED ${code}, got ${JSON.stringify(r.data ?? r.errors)}`;
}

/** Posts a body of `bytes` bytes (declared, or streamed chunked when `chunked`); expects 413 REQUEST_TOO_LARGE. */
async function oversized(client: TestClient, bytes: number, chunked: boolean) {
  const text = JSON.stringify({ query: PUSH, variables: { padding: 'x'.repeat(bytes) } });
  const body = chunked
    ? new ReadableStream<Uint8Array>({
        start(controller) {
          const all = new TextEncoder().encode(text);
          for (let at = 0; at < all.length; at += 16 * 1024) controller.enqueue(all.slice(at, at + 16 * 1024));
          controller.close();
        },
      })
    : text;
  const res = await client.request('/graphql', {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/graphql-response+json' },
    body,
    ...(chunked ? { duplex: 'half' } : {}),
  } as RequestInit);
  const answer = (await res.json().catch(() => undefined)) as { errors?: { extensions?: Record<string, any> }[] } | undefined;
  if (res.status === 413 && codesOf(answer?.errors).includes('REQUEST_TOO_LARGE')) return undefined;
  return `expected 413 REQUEST_TOO_LARGE, got ${res.status} ${JSON.stringify(answer)}`;
}

/** Sends `query` as `token`; expects HTTP 400, no data, and every code in `codes` among its errors. */
async function refusedQuery(client: TestClient, query: string, token: string, codes: string[]) {
  const r = await client.gql(query, {}, { token });
  const got = codesOf(r.errors);
  if (r.status === 400 && r.data === undefined && codes.every((c) => got.includes(c))) return undefined;
  return `expected 400 ${codes.join('+')}, got ${r.status} ${JSON.stringify(got)} data=${JSON.stringify(r.data)}`;
}

const DEEP = '{ viewer { conversations { edges { node { members { edges { node { id } } } } } } } }';
const DEVICE_FIELDS = 'id name platform appVersion createdAt lastSeenAt lastSyncAt isCurrent';
const COSTLY = `{ ${Array.from({ length: 15 }, (_, i) => `d${i}: viewer { devices { edges { node { ${DEVICE_FIELDS} } } } }`).join(' ')} }`;
// Aliased __typename is free (graphql-armor's allow list): alias a real field.
const ALIASES = `{ ${Array.from({ length: 60 }, (_, i) => `a${i}: viewer { __typename }`).join(' ')} }`;

/**
 * What a hostile member (`mallory`, a member of `conversationId`, with a device of her own)
 * throws at the server: garbage bytes as updates, an update forging another member as author,
 * bodies over MAX_BODY_BYTES (declared and chunked), and queries too deep, too costly or with
 * too many aliases. Each expects its typed refusal.
 */
export function attacks(mallory: Session, victim: Session, conversationId: string): Attack[] {
  return [
    {
      name: 'garbage update',
      run: (client, random) =>
        pushExpecting(client, mallory, conversationId, garbage(random, 8 + Math.floor(random() * 400)), 'MALFORMED_UPDATE'),
    },
    {
      name: 'forged author',
      run: (client) => {
        const doc = new Y.Doc();
        let update: Uint8Array = new Uint8Array();
        doc.on('update', (u: Uint8Array) => {
          update = u;
        });
        createMessage(doc, { id: uuidv7(), author: victim.userId, createdAt: Date.now(), text: 'not mine' });
        return pushExpecting(client, mallory, conversationId, update, 'FORBIDDEN_UPDATE');
      },
    },
    { name: 'oversized body', run: (client) => oversized(client, 200 * 1024, false) },
    { name: 'oversized chunked body', run: (client) => oversized(client, 200 * 1024, true) },
    { name: 'deep query', run: (client) => refusedQuery(client, DEEP, mallory.accessToken, ['QUERY_TOO_DEEP']) },
    { name: 'costly query', run: (client) => refusedQuery(client, COSTLY, mallory.accessToken, ['QUERY_TOO_COMPLEX']) },
    { name: 'alias flood', run: (client) => refusedQuery(client, ALIASES, mallory.accessToken, ['TOO_MANY_ALIASES']) },
  ];
}

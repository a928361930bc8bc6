import { performance } from 'node:perf_hooks';
import { listMessages, SEGMENT_MS, segmentOf } from '@mailboat/schema';
import { sql } from 'kysely';
import * as Y from 'yjs';
import type { Db } from '../src/db/connect.js';
import { decodeGlobalId } from '../src/global-ids.js';
import { compactSegment } from '../src/sync/segments/compaction.js';
import { SegmentCache } from '../src/sync/segments/segment-cache.js';
import { backdateConversation } from '../test/harness.js';
import { gqlSized, pct } from './lib.js';
import { b64, createGroup, DIFFS, openDirect, PUSH, pushAll, signUp, TEXT_LENGTH, type User, Writer } from './workload.js';

const fromB64 = (s: string) => new Uint8Array(Buffer.from(s, 'base64'));
const CONVERSATIONS = `query($after: String) { viewer { conversations(first: 50, after: $after) { pageInfo { hasNextPage endCursor } edges { node { id } } } } }`;
const NEWEST = `query($id: ID!) { conversation(id: $id) { segments(first: 1) { edges { node { number } } } } }`;

/** A device's copy of some segment documents, synced through segmentDiffs; counts bytes received, on the wire (gzipped) and decoded. */
class Device {
  readonly docs = new Map<string, Y.Doc>();
  wire = 0;
  bytes = 0;
  constructor(
    private readonly base: string,
    private readonly user: User,
  ) {}

  doc(conversationId: string, segment: number): Y.Doc {
    const key = `${conversationId}:${segment}`;
    const doc = this.docs.get(key) ?? new Y.Doc();
    this.docs.set(key, doc);
    return doc;
  }

  async query(query: string, variables: Record<string, unknown> = {}) {
    const { data, wire, bytes } = await gqlSized(this.base, query, variables, this.user.token);
    this.wire += wire;
    this.bytes += bytes;
    return data;
  }

  /** Fetches and applies what it lacks of these segments (100 per request). */
  async pull(segments: { conversationId: string; segment: number }[]) {
    for (let i = 0; i < segments.length; i += 100) {
      const chunk = segments
        .slice(i, i + 100)
        .map((s) => ({ ...s, stateVector: b64(Y.encodeStateVector(this.doc(s.conversationId, s.segment))) }));
      const data = await this.query(DIFFS, { segments: chunk });
      for (const d of data.segmentDiffs) Y.applyUpdate(this.doc(d.conversationId, d.segment), fromB64(d.update));
    }
  }

  messageCount(): number {
    let n = 0;
    for (const doc of this.docs.values()) n += listMessages(doc).length;
    return n;
  }
}

/**
 * Catch-up: a device is offline while `messages` messages (one update each, as their authors'
 * devices pushed them) arrive across `conversations` conversations; it reconnects, lists its
 * conversations with their newest segments, and pulls what it lacks. Time until it holds
 * every message, and bytes received per message (gzipped, as a browser gets them) against the messages' raw text bytes.
 */
export async function catchUp(base: string, o: { conversations: number; messages: number }) {
  const reader = await signUp(base, 'c');
  const author = await signUp(base, 'cw');
  const ids: string[] = [];
  for (let i = 0; i < o.conversations; i++) ids.push(await createGroup(base, author, [reader]));
  const offline = Date.now();
  const perConversation = Math.floor(o.messages / o.conversations);
  const updates = ids.flatMap((id) => {
    const w = new Writer(id, author.userId);
    return Array.from({ length: perConversation }, () => w.next());
  });
  await pushAll(base, author.token, updates, 100, 2);
  const device = new Device(base, reader);
  const start = performance.now();
  // The device lists its conversations (new ones too), then pulls every segment from the hour it went offline to now.
  const conversations: string[] = [];
  for (let after: string | null = null; ; ) {
    const page: any = (await device.query(CONVERSATIONS, { after })).viewer.conversations;
    conversations.push(...page.edges.map((e: any) => e.node.id));
    if (!page.pageInfo.hasNextPage) break;
    after = page.pageInfo.endCursor;
  }
  const segments = conversations.flatMap((conversationId) =>
    Array.from({ length: segmentOf(Date.now()) - segmentOf(offline) + 1 }, (_, k) => ({ conversationId, segment: segmentOf(offline) + k })),
  );
  await device.pull(segments);
  const seconds = (performance.now() - start) / 1000;
  const received = device.messageCount();
  return {
    messages: received,
    expected: perConversation * o.conversations,
    seconds,
    bytesPerMessage: device.wire / received,
    uncompressedBytesPerMessage: device.bytes / received,
    rawTextBytes: TEXT_LENGTH,
  };
}

/**
 * A long conversation: `messages` messages in segments of `perSegment`, oldest first, built
 * fast by pushing updates of 500 messages each. Then: a new device's first sync (the newest
 * segment) after a tenth of the history and after all of it, to show the bytes do not grow
 * with history; and `rounds` times, 100 new messages (one update each) that a synced device
 * catches up on (server time of that one segmentDiffs request).
 */
export async function longConversation(base: string, db: Db, o: { messages: number; perSegment: number; rounds: number }) {
  const author = await signUp(base, 'l');
  const reader = await signUp(base, 'lr');
  const conversationId = await openDirect(base, author, reader);
  const segments = Math.max(2, Math.ceil(o.messages / o.perSegment));
  await backdateConversation(db, conversationId, segments * SEGMENT_MS); // the history starts `segments - 1` hours ago
  const now = segmentOf(Date.now());
  const history = new Writer(conversationId, author.userId);
  const build = async (from: number, to: number) => {
    const updates = [];
    for (let s = from; s < to; s++) {
      for (let n = 0; n < o.perSegment; n += 500)
        updates.push(history.next(Math.min(500, o.perSegment - n), (now - segments + 1 + s) * SEGMENT_MS + n));
    }
    await pushAll(base, author.token, updates, 20, 2);
  };
  const firstSync = async () => {
    const device = new Device(base, reader);
    const start = performance.now();
    const newest = (await device.query(NEWEST, { id: conversationId })).conversation.segments.edges[0].node.number;
    await device.pull([{ conversationId, segment: newest }]);
    return {
      seconds: (performance.now() - start) / 1000,
      bytes: device.wire,
      uncompressedBytes: device.bytes,
      messages: device.messageCount(),
    };
  };
  const buildStart = performance.now();
  // Oldest first, the newest segment last, so "a tenth of the history" ends with a full newest-like segment.
  const tenth = Math.max(1, Math.floor(segments / 10));
  await build(segments - tenth, segments);
  const early = { history: tenth * o.perSegment, ...(await firstSync()) };
  await build(0, segments - tenth);
  const buildSeconds = (performance.now() - buildStart) / 1000;
  const late = { history: segments * o.perSegment, ...(await firstSync()) };

  const device = new Device(base, reader);
  await device.pull([{ conversationId, segment: now }]);
  const live = new Writer(conversationId, author.userId);
  const times: number[] = [];
  for (let r = 0; r < o.rounds; r++) {
    const updates = Array.from({ length: 100 }, () => live.next(1, Date.now()));
    await gqlSized(base, PUSH, { updates }, author.token);
    const start = performance.now();
    await device.pull([{ conversationId, segment: segmentOf(Date.now()) }]);
    times.push(performance.now() - start);
  }
  return {
    buildSeconds,
    messagesPerSecondBuilt: (segments * o.perSegment) / buildSeconds,
    early,
    late,
    missing100: { p50: pct(times, 50), p99: pct(times, 99) },
  };
}

/**
 * Compaction rate: `updates` one-message updates (as devices push them) written straight into
 * the update log of a segment of `conversationId` far in the past (so the API never touches
 * it), then merged into its snapshot by compactSegment. Updates merged per second, twice:
 * cold (the document built from the log) and hot (after `updates` more, with the segment's
 * document live in a segment cache, as the API has it after the pushes that wrote them).
 */
export async function compactionRate(db: Db, conversationId: string, updates: number) {
  const key = { conversationId: decodeGlobalId(conversationId).id, segment: segmentOf(Date.now()) - 24 * 365 };
  const writer = new Writer(conversationId, 'usr_00000000000000000000000000000000');
  await sql`insert into segments (conversation_id, segment) values (${key.conversationId}, ${key.segment})`.execute(db);
  const writeLog = async (from: number) => {
    for (let i = from; i < from + updates; i += 1000) {
      const rows = Array.from({ length: Math.min(1000, from + updates - i) }, (_, k) => {
        const update = Buffer.from(writer.next(1, key.segment * SEGMENT_MS + i + k).update, 'base64');
        return sql`(${key.conversationId}, ${key.segment}, ${i + k + 1}, ${update}, ${key.conversationId})`;
      });
      await sql`insert into segment_updates (conversation_id, segment, seq, update, device_id) values ${sql.join(rows)}`.execute(db);
    }
    await sql`update segments set last_seq = ${from + updates} where conversation_id = ${key.conversationId} and segment = ${key.segment}`.execute(
      db,
    );
  };
  const timed = async (cache?: SegmentCache) => {
    const start = performance.now();
    const { merged } = await compactSegment(db, key, { cache });
    const seconds = (performance.now() - start) / 1000;
    return { merged, seconds, updatesPerSecond: merged / seconds };
  };
  await writeLog(0);
  const cold = await timed();
  const cache = new SegmentCache(10);
  await cache.withSegments([key], () => cache.open(db, key)); // as if built by earlier pushes
  await writeLog(updates);
  await cache.withSegments([key], () => cache.open(db, key)); // as the pushes of these updates leave it
  const hot = await timed(cache);
  return { ...cold, hot };
}

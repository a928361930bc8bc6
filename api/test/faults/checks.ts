import { listMessages } from '@mailboat/schema';
import { expect } from 'vitest';
import * as Y from 'yjs';
import type { Db } from '../../src/db/connect.js';
import { decodeGlobalId } from '../../src/global-ids.js';
import type { SyncDevice } from '../sync-device.js';
import { sleep, type Writer } from './writers.js';

export type SegmentRef = { conversationId: string; segment: number };

const key = (s: SegmentRef) => `${s.conversationId}:${s.segment}`;
const hex = (bytes: Uint8Array) => Buffer.from(bytes).toString('hex');

/** Every segment the writers wrote in. */
export function segmentsOf(writers: Writer[]): SegmentRef[] {
  const all = new Map<string, SegmentRef>();
  for (const w of writers) for (const s of w.written.values()) all.set(key(s), { conversationId: s.conversationId, segment: s.segment });
  return [...all.values()];
}

/** Pulls, retrying while the server cannot answer (it may still be recovering from a fault). */
export async function pullRetrying(device: SyncDevice, segments: SegmentRef[], timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      await device.pull(segments);
      return;
    } catch (e) {
      if (Date.now() > deadline) throw e;
      await sleep(100);
    }
  }
}

/**
 * Asserts that a brand-new device pulling everything (`fresh`) holds exactly the writers'
 * acknowledged messages, each once, nothing that was never written, and that every device in
 * `devices` holds the same documents: identical state vectors, identical messages, no pending
 * structs. Devices are pulled first unless `pullDevices` is false (to check that what
 * arrived by other means, such as events, is complete on its own). Returns the fresh docs' message ids.
 */
export async function expectConverged(options: {
  fresh: SyncDevice;
  devices: SyncDevice[];
  writers: Writer[];
  pullDevices?: boolean;
}): Promise<Set<string>> {
  const { fresh, devices, writers, pullDevices = true } = options;
  const segments = segmentsOf(writers);
  await pullRetrying(fresh, segments);
  const ids: string[] = [];
  for (const s of segments) ids.push(...listMessages(fresh.doc(s.conversationId, s.segment)).map((m) => m.id));
  const onServer = new Set(ids);
  expect(onServer.size, 'each message once on the server').toBe(ids.length);

  const acknowledged = writers.flatMap((w) => [...w.acknowledged]);
  expect(
    acknowledged.filter((id) => !onServer.has(id)),
    'acknowledged writes missing on the server',
  ).toEqual([]);
  const written = new Set(writers.flatMap((w) => [...w.written.keys()]));
  expect(
    [...onServer].filter((id) => !written.has(id)),
    'messages on the server nobody wrote',
  ).toEqual([]);

  for (const device of devices) {
    if (pullDevices) await pullRetrying(device, segments);
    for (const s of segments) {
      const expected = fresh.doc(s.conversationId, s.segment);
      const doc = device.doc(s.conversationId, s.segment);
      expect(doc.store.pendingStructs).toBeNull();
      expect(hex(Y.encodeStateVector(doc)), `state vector of ${s.segment} on device ${device.session.deviceId}`).toBe(
        hex(Y.encodeStateVector(expected)),
      );
      expect(listMessages(doc)).toEqual(listMessages(expected));
    }
  }
  return onServer;
}

/** The (client, clock) ranges a stored update covers, tagged with where it is stored. */
function rangesOf(update: Uint8Array, where: string): [client: number, from: number, to: number, where: string][] {
  const meta = Y.parseUpdateMeta(update);
  const out: [number, number, number, string][] = [];
  for (const [client, to] of meta.to) {
    const from = meta.from.get(client) ?? 0;
    if (to > from) out.push([client, from, to, where]);
  }
  return out;
}

/**
 * Asserts that the server stores every change exactly once: within a segment, no two stored
 * pieces (the compacted snapshot, and each update logged after it) cover the same (client,
 * clock) range (a retried update stored twice would, also when the first copy was compacted
 * since), the pieces add up to the served state vector, and the relational projection has
 * exactly one row per message the documents hold, with the same text. Reads one consistent
 * view (a compaction may still be committing).
 */
export async function expectStoredOnce(db: Db, fresh: SyncDevice, writers: Writer[], onServer: Set<string>): Promise<void> {
  const segments = segmentsOf(writers);
  for (const s of segments) {
    const conversationId = decodeGlobalId(s.conversationId).id;
    const { snapshot, rows } = await db
      .transaction()
      .setIsolationLevel('repeatable read')
      .execute(async (trx) => {
        const segment = await trx
          .selectFrom('segments')
          .select(['snapshot', 'snapshot_seq'])
          .where('conversation_id', '=', conversationId)
          .where('segment', '=', s.segment)
          .executeTakeFirstOrThrow();
        const log = await trx
          .selectFrom('segment_updates')
          .select(['seq', 'update'])
          .where('conversation_id', '=', conversationId)
          .where('segment', '=', s.segment)
          .orderBy('seq')
          .execute();
        expect(
          log.every((r) => r.seq > segment.snapshot_seq),
          'updates compacted into the snapshot are gone from the log',
        ).toBe(true);
        return { snapshot: segment.snapshot, rows: log };
      });
    const pieces = [...(snapshot ? rangesOf(snapshot, 'the snapshot') : []), ...rows.flatMap((r) => rangesOf(r.update, `update ${r.seq}`))];
    const byClient = new Map<number, [number, number, string][]>();
    for (const [client, from, to, where] of pieces) byClient.set(client, [...(byClient.get(client) ?? []), [from, to, where]]);
    const served = Y.decodeStateVector(Y.encodeStateVector(fresh.doc(s.conversationId, s.segment)));
    for (const [client, list] of byClient) {
      list.sort((a, b) => a[0] - b[0]);
      for (let i = 1; i < list.length; i++) {
        const [prev, cur] = [list[i - 1] as [number, number, string], list[i] as [number, number, string]];
        expect(cur[0], `client ${client}: ${prev[2]} and ${cur[2]} overlap (stored twice)`).toBeGreaterThanOrEqual(prev[1]);
      }
      const covered = list.reduce((sum, [from, to]) => sum + (to - from), 0);
      expect(covered, `client ${client}: clocks stored vs served`).toBe(served.get(client));
    }
    expect([...served.keys()].filter((c) => !byClient.has(c))).toEqual([]);
  }
  const conversationIds = [...new Set(segments.map((s) => decodeGlobalId(s.conversationId).id))];
  const projected = await db.selectFrom('messages').select(['id', 'text']).where('conversation_id', 'in', conversationIds).execute();
  const projectedIds = projected.map((r) => r.id);
  expect(new Set(projectedIds).size, 'each message once in the projection').toBe(projectedIds.length);
  expect(projectedIds.sort()).toEqual([...onServer].sort());
  const texts = new Map(segments.flatMap((s) => listMessages(fresh.doc(s.conversationId, s.segment)).map((m) => [m.id, m.text] as const)));
  expect(
    projected.filter((r) => texts.get(r.id) !== r.text).map((r) => r.id),
    'projection text differs from the document',
  ).toEqual([]);
}

import { listMessages, segmentOf, segmentStart } from '@mailboat/schema';
import { describe, expect, it } from 'vitest';
import { decodeGlobalId } from '../src/global-ids.js';
import { SegmentCache } from '../src/sync/segments/segment-cache.js';
import { useTestApp } from './harness.js';
import { SyncDevice } from './sync-device.js';

const MB = 2 ** 20;

describe('the segment cache', () => {
  // 1 MB holds about 250 messages of live document: a history of 1,200 cannot all stay.
  const app = useTestApp('pglite', { SEGMENT_CACHE_MB: '1', COMPACT_AFTER_UPDATES: '1000000' });

  it('keeps its documents within its memory budget however long the history, and still serves every message', async () => {
    const { client } = app();
    const { ana, bo, conversationId } = await client.directPair();
    await client.backdate(conversationId, 24 * 3_600_000); // its history reaches back into past hours
    const phone = new SyncDevice(client, ana);
    const now = segmentOf(Date.now());
    const segments = Array.from({ length: 6 }, (_, k) => now - 6 + k);
    const text = 'a message long enough to weigh like a real one, with some words in it and a few more after that. '.repeat(2);
    const written = new Map<number, string[]>();
    for (const segment of segments) {
      written.set(
        segment,
        // 150 messages of ~450 encoded bytes: one segment fits the 1 MB budget, two do not.
        Array.from({ length: 150 }, (_, i) => phone.send(conversationId, `${segment}/${i} ${text}`, segmentStart(segment) + 1 + i).id),
      );
      const results = await phone.push(phone.outbox.splice(0));
      expect(results.every((r) => r.status === 'ACCEPTED')).toBe(true);
    }
    const cache = app().deps.segments;
    expect(cache.heapBytes).toBeGreaterThan(0.5 * MB);
    expect(cache.heapBytes).toBeLessThanOrEqual(1 * MB);

    // Evicted segments load again from the database: a new device gets all of every one.
    const reader = new SyncDevice(client, bo);
    await reader.pull(segments.map((segment) => ({ conversationId, segment })));
    for (const segment of segments) {
      expect(listMessages(reader.doc(conversationId, segment)).map((m) => m.id)).toEqual(written.get(segment));
    }
    expect(cache.heapBytes).toBeLessThanOrEqual(1 * MB);

    // More writes into an evicted segment are checked against its whole history and accepted.
    const oldest = segments[0] as number;
    phone.send(conversationId, 'late reply', segmentStart(oldest) + 500);
    expect((await phone.push(phone.outbox.splice(0))).map((r) => r.status)).toEqual(['ACCEPTED']);
  });

  it('uses a document larger than its whole budget without keeping it', async () => {
    const { client } = app();
    const { ana, conversationId } = await client.directPair();
    await client.backdate(conversationId, 3 * 3_600_000);
    const phone = new SyncDevice(client, ana);
    const segment = segmentOf(Date.now()) - 1;
    for (let i = 0; i < 400; i++) phone.send(conversationId, `message ${i} ${'x'.repeat(300)}`, segmentStart(segment) + 1 + i);
    expect((await phone.push(phone.outbox.splice(0))).every((r) => r.status === 'ACCEPTED')).toBe(true);
    const small = new SegmentCache(100, 64 * 1024);
    const key = { conversationId: decodeGlobalId(conversationId).id, segment };
    const { doc } = await small.withSegments([key], () => small.open(app().deps.db, key));
    expect(listMessages(doc)).toHaveLength(400);
    expect(small.heapBytes).toBe(0);
  });
});

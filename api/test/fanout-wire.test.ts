import { describe, expect, it } from 'vitest';
import { encodeNotices, MAX_NOTICE_BYTES, noticePrefix, parseNotice } from '../src/events/fanout/wire.js';
import type { AccountEvent } from '../src/events/pubsub.js';

const ORIGIN = '6f1c2a9e-0000-4000-8000-000000000001';
const ids = (n: number) => Array.from({ length: n }, (_, i) => `0190c0de-0000-7000-8000-${String(i).padStart(12, '0')}`);
const update = (bytes: number) => new Uint8Array(Array.from({ length: bytes }, (_, i) => i % 251));
const segmentUpdated = (bytes: number): AccountEvent => ({
  kind: 'segmentUpdated',
  conversationId: '0190c0de-0000-7000-8000-00000000abcd',
  segment: 494_000,
  seq: 42,
  update: update(bytes),
  originDeviceId: '0190c0de-0000-7000-8000-00000000d0e5',
});

describe('fan-out notifications on the wire', () => {
  it('carries a segment update inline, bytes intact, to every id once, numbered from firstN', () => {
    const event = segmentUpdated(300);
    const texts = encodeNotices(ORIGIN, 7, { topic: 'user', ids: ids(3), payload: event });
    expect(texts).toHaveLength(1);
    const notice = parseNotice(texts[0] as string);
    expect(notice).toEqual({ o: ORIGIN, n: 7, t: 'user', i: ids(3), p: event });
    expect(texts[0]?.startsWith(noticePrefix(ORIGIN))).toBe(true);
  });

  it('splits many ids over notifications under the limit, consecutively numbered, each id once', () => {
    const all = ids(900);
    const event: AccountEvent = { kind: 'conversationUpdated', conversationId: '0190c0de-0000-7000-8000-00000000abcd' };
    const texts = encodeNotices(ORIGIN, 1, { topic: 'user', ids: all, payload: event });
    expect(texts.length).toBeGreaterThan(1);
    const notices = texts.map(parseNotice);
    for (const text of texts) expect(Buffer.byteLength(text)).toBeLessThanOrEqual(MAX_NOTICE_BYTES);
    expect(notices.map((n) => n.n)).toEqual(notices.map((_, i) => 1 + i));
    expect(notices.flatMap((n) => n.i)).toEqual(all);
    for (const n of notices) expect(n.p).toEqual(event);
  });

  it('sends a segment update too large for a notification as a reference without its bytes', () => {
    const event = segmentUpdated(MAX_NOTICE_BYTES);
    const [text, ...more] = encodeNotices(ORIGIN, 1, { topic: 'user', ids: ids(2), payload: event });
    expect(more).toEqual([]);
    expect(Buffer.byteLength(text as string)).toBeLessThanOrEqual(MAX_NOTICE_BYTES);
    const notice = parseNotice(text as string);
    expect(notice.ref).toBe(true);
    expect(notice.p).toEqual({ ...event, update: new Uint8Array(0) });
  });

  it('carries typing and presence events as they are, to many ids', () => {
    const typing: AccountEvent = {
      kind: 'typing',
      conversationId: '0190c0de-0000-7000-8000-00000000abcd',
      userId: '0190c0de-0000-7000-8000-00000000b0b0',
      typing: true,
      expiresAt: 1_765_000_006_000,
    };
    const online: AccountEvent = { kind: 'presence', userId: '0190c0de-0000-7000-8000-00000000b0b0', online: true, lastSeenAt: null };
    const offline: AccountEvent = { ...online, online: false, lastSeenAt: 1_765_000_000_123 };
    for (const [n, event] of [typing, online, offline].entries()) {
      const texts = encodeNotices(ORIGIN, 10 + n, { topic: 'user', ids: ids(400), payload: event });
      expect(texts.length).toBeGreaterThan(1);
      const notices = texts.map(parseNotice);
      expect(notices.flatMap((x) => x.i)).toEqual(ids(400));
      for (const notice of notices) expect(notice.p).toEqual(event);
    }
  });

  it('sends nothing for another event too large by itself', () => {
    const event: AccountEvent = { kind: 'conversationRemoved', conversationId: 'x'.repeat(MAX_NOTICE_BYTES), reason: 'left' };
    expect(encodeNotices(ORIGIN, 1, { topic: 'user', ids: ids(1), payload: event })).toEqual([]);
  });
});

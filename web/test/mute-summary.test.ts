import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { ConversationSummary } from '../src/app/model.js';
import { MuteExpiry, nextMuteEnd } from '../src/sync/mute-expiry.js';
import type { ConversationRecord } from '../src/sync/records.js';
import { buildSummary } from '../src/sync/views.js';

const HOUR = 3_600_000;
const now = Date.parse('2026-12-08T12:00:00Z');

const record = (mute: ConversationRecord['mute']): ConversationRecord => ({
  id: 'cnv_1',
  kind: 'DIRECT',
  title: null,
  memberCount: 2,
  viewerRole: 'MEMBER',
  unreadCount: 0,
  updatedAt: now - HOUR,
  mute,
  memberIds: ['usr_me', 'usr_bo'],
  loaded: true,
  olderCursor: null,
  hasOlder: false,
});

const summaryOf = (mute: ConversationRecord['mute'], at = now) =>
  buildSummary({
    record: record(mute),
    viewerId: 'usr_me',
    messages: [],
    oldestHeldSegment: null,
    read: null,
    user: (id) => ({ id, handle: id, displayName: id === 'usr_bo' ? 'Bo' : 'Me' }),
    now: at,
  });

describe('a muted conversation in the list', () => {
  it('reads as muted until the mute ends, then as not muted with no fetch', () => {
    const until = now + 8 * HOUR;
    expect(summaryOf({ until })).toMatchObject({ muted: true, mutedUntil: until, otherUserId: 'usr_bo', title: 'Bo' });
    expect(summaryOf({ until }, until)).toMatchObject({ muted: false, mutedUntil: null });
    expect(summaryOf({ until: null })).toMatchObject({ muted: true, mutedUntil: null });
    expect(summaryOf(null)).toMatchObject({ muted: false, mutedUntil: null });
    expect(summaryOf(undefined)).toMatchObject({ muted: false, mutedUntil: null }); // a record stored before mutes
  });

  it('names the earliest end among running mutes', () => {
    const s = (muted: boolean, mutedUntil: number | null) => ({ muted, mutedUntil }) as ConversationSummary;
    expect(nextMuteEnd([s(true, null), s(false, null), s(true, now + 2 * HOUR), s(true, now + HOUR)])).toBe(now + HOUR);
    expect(nextMuteEnd([s(true, null), s(false, null)])).toBeNull();
  });
});

describe('the timer at a mute end', () => {
  beforeEach(() => void vi.useFakeTimers({ now }));
  afterEach(() => void vi.useRealTimers());

  it('fires once the end has passed, keeps one timer, and waits out ends beyond setTimeout range', () => {
    let fired = 0;
    const expiry = new MuteExpiry(() => fired++);
    expiry.set(now + HOUR);
    expiry.set(now + HOUR);
    vi.advanceTimersByTime(HOUR);
    expect(fired).toBe(0);
    vi.advanceTimersByTime(1);
    expect(fired).toBe(1);

    const far = now + HOUR + 40 * 24 * HOUR;
    expiry.set(far);
    vi.advanceTimersByTime(30 * 24 * HOUR);
    expect(fired).toBe(1);
    vi.advanceTimersByTime(10 * 24 * HOUR + 1);
    expect(fired).toBe(2);

    expiry.set(Date.now() + HOUR);
    expiry.set(null);
    vi.advanceTimersByTime(2 * HOUR);
    expect(fired).toBe(2);
  });
});

import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { User } from '../src/app/model.js';
import { TYPING_IDLE_MS, TYPING_RESEND_MS, TypingSender } from '../src/sync/typing-sender.js';
import { DEFAULT_TYPING_SHOW_MS, TypingState } from '../src/sync/typing-state.js';
import { typingText } from '../src/ui/presence-text.js';

/** A TypingSender on a hand-moved clock, with timers run by hand: what it sent, in order. */
function sender(online = { now: true }) {
  let now = 1_000_000;
  const timers = new Map<number, { at: number; fn: () => void }>();
  let next = 0;
  const sent: string[] = [];
  const s = new TypingSender({
    send: async (c, t) => void sent.push(`${c}:${t}`),
    online: () => online.now,
    now: () => now,
    setTimer: (fn, ms) => {
      timers.set(++next, { at: now + ms, fn });
      return next;
    },
    clearTimer: (t) => timers.delete(t as number),
  });
  const advance = (ms: number) => {
    now += ms;
    for (const [id, t] of [...timers]) {
      if (t.at > now) continue;
      timers.delete(id);
      t.fn();
    }
  };
  return { s, sent, advance, pendingTimers: () => timers.size };
}

describe('sending that the viewer types', () => {
  it('sends true at once, again at most every few seconds while typing goes on, and false when sent', () => {
    const { s, sent, advance } = sender();
    s.typed('c1');
    for (let i = 0; i < 10; i++) {
      advance(500);
      s.typed('c1');
    }
    // 5 s of keystrokes every half second: true at 0 and once TYPING_RESEND_MS passed (3 s), not in between.
    expect(sent).toEqual(['c1:true', 'c1:true']);
    advance(TYPING_RESEND_MS - 2000);
    s.typed('c1');
    expect(sent).toEqual(['c1:true', 'c1:true', 'c1:true']);
    s.stopped('c1');
    expect(sent).toEqual(['c1:true', 'c1:true', 'c1:true', 'c1:false']);
    s.stopped('c1');
    expect(sent).toHaveLength(4);
  });

  it('sends false by itself after a few idle seconds, and nothing for a stop with no start', () => {
    const { s, sent, advance, pendingTimers } = sender();
    s.stopped('c1');
    expect(sent).toEqual([]);
    s.typed('c1');
    advance(TYPING_IDLE_MS - 1);
    expect(sent).toEqual(['c1:true']);
    advance(1);
    expect(sent).toEqual(['c1:true', 'c1:false']);
    expect(pendingTimers()).toBe(0);
  });

  it('keeps conversations apart, and stopAll stops each once', () => {
    const { s, sent } = sender();
    s.typed('c1');
    s.typed('c2');
    s.stopAll();
    expect(sent).toEqual(['c1:true', 'c2:true', 'c1:false', 'c2:false']);
  });

  it('offline sends nothing and keeps nothing for later', () => {
    const online = { now: false };
    const { s, sent, advance, pendingTimers } = sender(online);
    s.typed('c1');
    advance(1000);
    s.typed('c1');
    expect(sent).toEqual([]);
    expect(pendingTimers()).toBe(0);
    online.now = true;
    s.typed('c1');
    expect(sent).toEqual(['c1:true']);
  });

  it('ignores a failed send', async () => {
    const s = new TypingSender({ send: () => Promise.reject(new Error('down')), online: () => true });
    s.typed('c1');
    s.stopped('c1');
    await new Promise((r) => setTimeout(r, 0)); // an unhandled rejection would fail the run
  });
});

const bo: User = { id: 'usr_bo', handle: 'bo', displayName: 'Bo' };
const cy: User = { id: 'usr_cy', handle: 'cy', displayName: 'Cy' };
const di: User = { id: 'usr_di', handle: 'di', displayName: 'Di' };

describe('showing who else is typing', () => {
  beforeEach(() => void vi.useFakeTimers());
  afterEach(() => void vi.useRealTimers());

  it('shows a typer until the expiry the server set, by the server clock', () => {
    const offset = 90_000; // the device is 90 s slow
    let changes = 0;
    const state = new TypingState(
      () => Date.now() + offset,
      () => changes++,
    );
    state.apply('c1', bo, true, Date.now() + offset + 4000);
    expect(state.typing('c1')).toEqual([bo]);
    expect(state.typing('c1')).toBe(state.typing('c1'));
    expect(state.typing('c2')).toEqual([]);
    vi.advanceTimersByTime(3999);
    expect(state.typing('c1')).toEqual([bo]);
    vi.advanceTimersByTime(1);
    expect(state.typing('c1')).toEqual([]);
    expect(changes).toBe(2);
  });

  it('drops a typer at once on typing false, and a renewal keeps them without a change', () => {
    let changes = 0;
    const state = new TypingState(Date.now, () => changes++);
    state.apply('c1', bo, true, Date.now() + 6000);
    vi.advanceTimersByTime(5000);
    state.apply('c1', bo, true, Date.now() + 6000);
    vi.advanceTimersByTime(5000);
    expect(state.typing('c1')).toEqual([bo]);
    expect(changes).toBe(1);
    state.apply('c1', bo, false, Date.now());
    expect(state.typing('c1')).toEqual([]);
    expect(changes).toBe(2);
    state.apply('c1', bo, false, Date.now());
    expect(changes).toBe(2);
  });

  it('shows an indicator for a default while when the expiry makes no sense on this clock', () => {
    const state = new TypingState(
      () => Date.now() + 60_000,
      () => undefined,
    );
    state.apply('c1', bo, true, Date.now()); // "already past" by a clock a minute fast
    vi.advanceTimersByTime(DEFAULT_TYPING_SHOW_MS - 1);
    expect(state.typing('c1')).toEqual([bo]);
    vi.advanceTimersByTime(1);
    expect(state.typing('c1')).toEqual([]);
  });

  it('keeps typers in the order they started, and clear forgets them all', () => {
    const state = new TypingState(Date.now, () => undefined);
    state.apply('c1', cy, true, Date.now() + 6000);
    state.apply('c1', bo, true, Date.now() + 6000);
    state.apply('c1', cy, true, Date.now() + 6000);
    expect(state.typing('c1').map((u) => u.id)).toEqual(['usr_cy', 'usr_bo']);
    state.clear();
    expect(state.typing('c1')).toEqual([]);
    vi.advanceTimersByTime(10_000);
  });
});

describe('the words for who is typing', () => {
  it('names one or two, and counts more', () => {
    expect(typingText([])).toBe('');
    expect(typingText([bo])).toBe('Bo is typing…');
    expect(typingText([bo, cy])).toBe('Bo and Cy are typing…');
    expect(typingText([bo, cy, di])).toBe('3 people are typing…');
  });
});

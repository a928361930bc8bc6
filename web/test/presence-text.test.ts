import { describe, expect, it } from 'vitest';
import { formatTime } from '../src/ui/format.js';
import { presenceText } from '../src/ui/presence-text.js';

describe('the presence line', () => {
  const now = new Date(2026, 11, 8, 15, 30).getTime();

  it('says online, last seen today or yesterday with the time, or the day', () => {
    const today = new Date(2026, 11, 8, 14, 2).getTime();
    const yesterday = new Date(2026, 11, 7, 9, 15).getTime();
    expect(presenceText({ online: true, lastSeenAt: null }, now)).toBe('online');
    expect(presenceText({ online: false, lastSeenAt: today }, now)).toBe(`last seen today at ${formatTime(today)}`);
    expect(presenceText({ online: false, lastSeenAt: yesterday }, now)).toBe(`last seen yesterday at ${formatTime(yesterday)}`);
    expect(presenceText({ online: false, lastSeenAt: new Date(2026, 10, 3, 9, 0).getTime() }, now)).toMatch(/^last seen \S+/);
  });

  it('shows nothing when hidden or unknown', () => {
    expect(presenceText(null, now)).toBeNull();
    expect(presenceText({ online: false, lastSeenAt: null }, now)).toBeNull();
  });
});

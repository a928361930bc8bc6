import { describe, expect, it } from 'vitest';
import type { ConversationSummary } from '../src/app/model.js';
import { showUnreadBadge, unreadTitle } from '../src/app/unread-badge.js';
import { Emitter } from '../src/sync/emitter.js';

const summary = (id: string, unreadCount: number): ConversationSummary => ({
  id,
  kind: 'DIRECT',
  title: id,
  memberCount: 2,
  viewerRole: 'MEMBER',
  unreadCount,
  muted: false,
  mutedUntil: null,
  otherUserId: null,
  lastMessage: null,
  updatedAt: 0,
});

describe('the unread badge and tab title', () => {
  it('counts conversations with unread messages, not messages, in the title and on the icon', async () => {
    const emitter = new Emitter();
    let list = [summary('a', 0), summary('b', 0)];
    const client = { conversations: () => list, subscribe: (l: () => void) => emitter.subscribe(l) };
    const titles: string[] = [];
    const badges: (number | 'cleared')[] = [];
    const stop = showUnreadBadge(client, {
      setTitle: (t) => titles.push(t),
      navigator: {
        setAppBadge: async (n?: number) => void badges.push(n ?? 0),
        clearAppBadge: async () => void badges.push('cleared'),
      },
    });
    expect(titles).toEqual(['Mailboat']);
    list = [summary('a', 5), summary('b', 1)];
    emitter.emit();
    emitter.emit(); // the same count writes nothing again
    list = [summary('a', 0), summary('b', 1)];
    emitter.emit();
    list = [summary('a', 0), summary('b', 0)];
    emitter.emit();
    expect(titles).toEqual(['Mailboat', '(2) Mailboat', '(1) Mailboat', 'Mailboat']);
    expect(badges).toEqual(['cleared', 2, 1, 'cleared']);
    stop();
    list = [summary('a', 1)];
    emitter.emit();
    expect(titles).toHaveLength(4);
  });

  it('still sets the title where the Badging API is missing or refuses', () => {
    const titles: string[] = [];
    showUnreadBadge(
      { conversations: () => [summary('a', 1)], subscribe: () => () => undefined },
      { setTitle: (t) => titles.push(t), navigator: { setAppBadge: () => Promise.reject(new Error('not installed')) } },
    );
    showUnreadBadge({ conversations: () => [], subscribe: () => () => undefined }, { setTitle: (t) => titles.push(t) });
    expect(titles).toEqual(['(1) Mailboat', 'Mailboat']);
    expect(unreadTitle(12)).toBe('(12) Mailboat');
  });
});

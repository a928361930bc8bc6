import type { Presence, User } from '../app/model.js';
import { formatDay, formatListTime, formatTime, sameDay } from './format.js';

const DAY = 24 * 60 * 60 * 1000;

/**
 * A person's presence as the conversation header shows it: "online", "last seen today at
 * 14:02", "last seen yesterday at 9:15", "last seen Mon", "last seen 3 Mar"; null when there
 * is nothing to show (hidden, or not known).
 */
export function presenceText(presence: Presence | null, now: number = Date.now()): string | null {
  if (!presence) return null;
  if (presence.online) return 'online';
  const at = presence.lastSeenAt;
  if (at === null) return null;
  if (sameDay(at, now) || sameDay(at, now - DAY)) return `last seen ${formatDay(at, now).toLowerCase()} at ${formatTime(at)}`;
  return `last seen ${formatListTime(at, now)}`;
}

/** Who is typing, in a few words: "Bo is typing…", "Bo and Cy are typing…", "3 people are typing…"; "" for nobody. */
export function typingText(users: User[]): string {
  const [first, second] = users;
  if (!first) return '';
  if (!second) return `${first.displayName} is typing…`;
  if (users.length === 2) return `${first.displayName} and ${second.displayName} are typing…`;
  return `${users.length} people are typing…`;
}

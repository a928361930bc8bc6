import type { Presence } from '../app/model.js';

/**
 * What the device last heard of other people's presence (online / last seen), by user id:
 * from a fetch when a conversation opens and from live PresenceEvents. In memory only: it is
 * only worth showing while fresh. `null` means hidden (their setting or the viewer's) or not
 * known; `get` returns the same object until that person's presence changes, and `changed`
 * is told after every change.
 */
export class PresenceState {
  private readonly known = new Map<string, Presence | null>();

  constructor(private readonly changed: () => void) {}

  get(userId: string): Presence | null {
    return this.known.get(userId) ?? null;
  }

  /** Takes the presence the API gave for `userId` (null: hidden). */
  set(userId: string, presence: Presence | null): void {
    const previous = this.known.get(userId);
    if (previous === undefined ? presence === null : samePresence(previous, presence)) return;
    this.known.set(userId, presence);
    this.changed();
  }

  /** Forgets everyone (the account closed). */
  clear(): void {
    if (this.known.size === 0) return;
    this.known.clear();
    this.changed();
  }
}

/** Parses the API's Presence (DateTime strings) into the model's (epoch ms). */
export function presenceFromApi(p: { online: boolean; lastSeenAt: string | null } | null): Presence | null {
  if (!p) return null;
  const lastSeenAt = p.lastSeenAt === null ? null : Date.parse(p.lastSeenAt);
  return { online: p.online, lastSeenAt: lastSeenAt !== null && Number.isFinite(lastSeenAt) ? lastSeenAt : null };
}

function samePresence(a: Presence | null, b: Presence | null): boolean {
  if (a === null || b === null) return a === b;
  return a.online === b.online && a.lastSeenAt === b.lastSeenAt;
}

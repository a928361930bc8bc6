import type { User } from '../app/model.js';

/**
 * How long a typing event is shown when its `expiresAt` cannot be trusted (already past, or
 * further ahead than MAX_TYPING_SHOW_MS, by this device's best guess of the server's clock):
 * a device clock set wrong must neither hide every indicator nor keep one up for minutes.
 */
export const DEFAULT_TYPING_SHOW_MS = 6000;
export const MAX_TYPING_SHOW_MS = 15_000;

const NOBODY: User[] = Object.freeze([]) as unknown as User[];

type Typer = { user: User; timer: ReturnType<typeof setTimeout> };

/**
 * Who else is typing in each conversation, as the live TypingEvents say: shown from a
 * `typing: true` until its `expiresAt` (server time, read with `serverNow`) or a `false` from
 * the same person. Held in memory only (typing is ephemeral). `typing(id)` returns the same
 * array until that conversation's typers change; `changed` is told after every change.
 */
export class TypingState {
  private readonly typers = new Map<string, Map<string, Typer>>();
  private readonly snapshots = new Map<string, User[]>();

  constructor(
    private readonly serverNow: () => number,
    private readonly changed: () => void,
  ) {}

  /** Takes one TypingEvent (the viewer's own are left out by the caller). */
  apply(conversationId: string, user: User, typing: boolean, expiresAt: number): void {
    const inConversation = this.typers.get(conversationId) ?? new Map<string, Typer>();
    const previous = inConversation.get(user.id);
    if (previous) clearTimeout(previous.timer);
    if (typing) {
      const timer = setTimeout(() => this.remove(conversationId, user.id), showFor(expiresAt - this.serverNow()));
      inConversation.set(user.id, { user, timer });
      this.typers.set(conversationId, inConversation);
      // The same person typing on is no change to show.
      if (previous && sameUser(previous.user, user)) return;
    } else {
      if (!previous) return;
      inConversation.delete(user.id);
      if (inConversation.size === 0) this.typers.delete(conversationId);
    }
    this.snapshots.delete(conversationId);
    this.changed();
  }

  /** The others typing in the conversation now, in the order they started. */
  typing(conversationId: string): User[] {
    let snapshot = this.snapshots.get(conversationId);
    if (!snapshot) {
      const inConversation = this.typers.get(conversationId);
      snapshot = inConversation?.size ? [...inConversation.values()].map((t) => t.user) : NOBODY;
      this.snapshots.set(conversationId, snapshot);
    }
    return snapshot;
  }

  /** Forgets everyone (the live stream broke, or the account closed): nobody is shown typing. */
  clear(): void {
    if (this.typers.size === 0) return;
    for (const inConversation of this.typers.values()) for (const t of inConversation.values()) clearTimeout(t.timer);
    this.typers.clear();
    this.snapshots.clear();
    this.changed();
  }

  private remove(conversationId: string, userId: string): void {
    const inConversation = this.typers.get(conversationId);
    if (!inConversation?.delete(userId)) return;
    if (inConversation.size === 0) this.typers.delete(conversationId);
    this.snapshots.delete(conversationId);
    this.changed();
  }
}

function showFor(ms: number): number {
  return ms > 0 && ms <= MAX_TYPING_SHOW_MS ? ms : DEFAULT_TYPING_SHOW_MS;
}

function sameUser(a: User, b: User): boolean {
  return a.id === b.id && a.displayName === b.displayName && a.handle === b.handle;
}

import { rateLimited } from '../errors.js';

/** A typing:true for a conversation is published at most once per this many ms per device (more often is accepted, not sent). */
export const TYPING_REPUBLISH_MS = 2000;
/** setTyping calls one device may make per minute (all conversations) before RATE_LIMITED. */
export const TYPING_CALLS_PER_MINUTE = 120;

const MINUTE = 60_000;

/**
 * Per-device pacing of typing indicators on this node (one per app: AppDeps.typing). It keeps
 * the last state published per (device, conversation) and a one-minute window of calls per
 * device; entries older than a minute are dropped as it goes, so memory follows the devices
 * typing now. Across nodes the user's write budget (WRITES_PER_MINUTE) still caps the total.
 */
export class TypingThrottle {
  private readonly published = new Map<string, { typing: boolean; at: number }>();
  private readonly calls = new Map<string, { windowStart: number; count: number }>();
  private prunedAt = 0;

  /**
   * Counts a call of `deviceId` and says whether this state should be published: not a
   * state repeated within TYPING_REPUBLISH_MS of the same one published (a typing:false after a
   * typing:false, or a typing:true after a typing:true).
   * Throws RATE_LIMITED past TYPING_CALLS_PER_MINUTE.
   */
  admit(deviceId: string, conversationId: string, typing: boolean, now: number): boolean {
    this.prune(now);
    let calls = this.calls.get(deviceId);
    if (!calls || now - calls.windowStart >= MINUTE) {
      calls = { windowStart: now, count: 0 };
      this.calls.set(deviceId, calls);
    }
    if (calls.count >= TYPING_CALLS_PER_MINUTE) {
      const retryAfterSeconds = Math.max(1, Math.ceil((calls.windowStart + MINUTE - now) / 1000));
      throw rateLimited(`Too many typing updates: try again in ${retryAfterSeconds} s`, retryAfterSeconds);
    }
    calls.count++;
    const last = this.published.get(key(deviceId, conversationId));
    if (!last || last.typing !== typing) return true;
    return now - last.at >= TYPING_REPUBLISH_MS;
  }

  /** Records that `typing` was published for (device, conversation) at `now`. */
  recordPublished(deviceId: string, conversationId: string, typing: boolean, now: number): void {
    this.published.set(key(deviceId, conversationId), { typing, at: now });
  }

  private prune(now: number): void {
    if (now - this.prunedAt < MINUTE) return;
    this.prunedAt = now;
    for (const [k, v] of this.published) if (now - v.at >= MINUTE) this.published.delete(k);
    for (const [k, v] of this.calls) if (now - v.windowStart >= MINUTE) this.calls.delete(k);
  }
}

const key = (deviceId: string, conversationId: string) => `${deviceId}:${conversationId}`;

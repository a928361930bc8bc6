import type { ConversationSummary } from '../app/model.js';

/** The longest delay setTimeout keeps (about 24.8 days); a later end is waited for in steps. */
const MAX_DELAY_MS = 2 ** 31 - 1;

/** The earliest end of a running mute among `summaries` (epoch ms), or null when none ends. */
export function nextMuteEnd(summaries: ConversationSummary[]): number | null {
  let next: number | null = null;
  for (const s of summaries) if (s.muted && s.mutedUntil !== null && (next === null || s.mutedUntil < next)) next = s.mutedUntil;
  return next;
}

/**
 * One timer that calls `fire` once the local clock reaches the time last `set` (a mute's
 * end), so the snapshots are rebuilt and the mute reads as ended with no fetch. Setting
 * another time (or null) replaces the previous one.
 */
export class MuteExpiry {
  private timer: ReturnType<typeof setTimeout> | null = null;
  private at: number | null = null;

  constructor(
    private readonly fire: () => void,
    private readonly now: () => number = Date.now,
  ) {}

  set(at: number | null): void {
    if (at === this.at) return;
    this.cancel();
    this.at = at;
    if (at === null) return;
    const wait = Math.max(0, at - this.now());
    this.timer = setTimeout(
      () => {
        this.timer = null;
        this.at = null;
        if (wait > MAX_DELAY_MS) this.set(at);
        else this.fire();
      },
      Math.min(wait + 1, MAX_DELAY_MS),
    );
  }

  cancel(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.at = null;
  }
}

/** While typing goes on, `setTyping(…, true)` is sent again at most this often (ms). */
export const TYPING_RESEND_MS = 3000;
/** Typing counts as stopped after this long with no keystroke (ms): `setTyping(…, false)` is sent. */
export const TYPING_IDLE_MS = 5000;

export type TypingSenderOptions = {
  /** Sends one setTyping; its failure is ignored (typing is ephemeral). */
  send: (conversationId: string, typing: boolean) => Promise<unknown>;
  /** Whether the device is online now; offline, nothing is sent (and nothing queued). */
  online: () => boolean;
  now?: () => number;
  setTimer?: (fn: () => void, ms: number) => unknown;
  clearTimer?: (timer: unknown) => void;
};

type Typing = { sentAt: number; idle: unknown };

/**
 * Tells the conversation's members that the viewer is typing, without flooding the server:
 * `typed` sends `true` at once and then at most every TYPING_RESEND_MS while keystrokes keep
 * coming; `stopped` (text sent or cleared, conversation left) and TYPING_IDLE_MS without a
 * keystroke send `false`, once, and only after a `true` was sent. Offline nothing is sent or
 * kept for later: a typing state is stale by the time the network is back.
 */
export class TypingSender {
  private readonly typing = new Map<string, Typing>();
  private readonly now: () => number;
  private readonly setTimer: (fn: () => void, ms: number) => unknown;
  private readonly clearTimer: (timer: unknown) => void;

  constructor(private readonly options: TypingSenderOptions) {
    this.now = options.now ?? Date.now;
    this.setTimer = options.setTimer ?? ((fn, ms) => setTimeout(fn, ms));
    this.clearTimer = options.clearTimer ?? ((t) => clearTimeout(t as ReturnType<typeof setTimeout>));
  }

  /** A keystroke in the conversation's composer (with text in it). */
  typed(conversationId: string): void {
    const current = this.typing.get(conversationId);
    if (current) this.clearTimer(current.idle);
    const now = this.now();
    let sentAt = current?.sentAt ?? null;
    if (sentAt === null || now - sentAt >= TYPING_RESEND_MS) {
      if (!this.options.online()) {
        this.typing.delete(conversationId);
        return;
      }
      this.send(conversationId, true);
      sentAt = now;
    }
    const idle = this.setTimer(() => this.stopped(conversationId), TYPING_IDLE_MS);
    this.typing.set(conversationId, { sentAt, idle });
  }

  /** Typing in the conversation stopped (sent, cleared, left, or idle); sends `false` if `true` was sent. */
  stopped(conversationId: string): void {
    const current = this.typing.get(conversationId);
    if (!current) return;
    this.clearTimer(current.idle);
    this.typing.delete(conversationId);
    if (this.options.online()) this.send(conversationId, false);
  }

  /** Stops every conversation (signing out, closing): sends `false` where `true` was sent. */
  stopAll(): void {
    for (const id of [...this.typing.keys()]) this.stopped(id);
  }

  private send(conversationId: string, typing: boolean): void {
    this.options.send(conversationId, typing).catch(() => undefined);
  }
}

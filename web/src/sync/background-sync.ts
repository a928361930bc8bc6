import { ErrorCode } from '@mailboat/schema';
import { ClientError, type ClientErrorCode } from '../app/model.js';
import type { Account } from './account.js';
import type { Api } from './api.js';
import { AppUploads } from './attachments/app-uploads.js';
import type { PutPart } from './attachments/part-put.js';
import type { TokenKeeper } from './auth.js';
import { fetchUnknownAuthors } from './authors.js';
import { backoffDelay } from './backoff.js';
import { catchUpChanges, changesHead, fetchConversations, loadNewest, loadUnloaded } from './catch-up.js';
import type { SyncContext } from './context.js';
import { isNetworkError, isSignedOutError, SIGNED_OUT_CODES } from './errors.js';
import { flushOutbox } from './flush.js';
import { LiveEvents } from './live-events.js';
import { applyLiveEvent } from './live-updates.js';
import { withOutboxLock } from './outbox-lock.js';
import type { PresenceState } from './presence-state.js';
import { flushReads, markDelivered } from './receipts.js';
import { Serial } from './serial.js';
import type { SyncStateBox } from './sync-state.js';
import type { TypingState } from './typing-state.js';

export type BackgroundSyncOptions = {
  api: Api;
  tokens: TokenKeeper;
  baseUrl: string;
  fetch: typeof fetch;
  state: SyncStateBox;
  /** The signed-in account, or null. */
  account: () => Account | null;
  /** The device is signed out for good (`code`: one of SIGNED_OUT_CODES). */
  signedOut: (code: ClientErrorCode) => void;
  /** Asks the service worker to push the outbox once the network is back, even if the app is closed by then. */
  requestReplay: () => void;
  /** Told when the server refused a write (see SyncContext.refused). */
  refused: () => void;
  /** Who is typing, as the live stream says; forgotten when the stream stops or breaks. */
  typing: TypingState;
  /** Others' presence, as the live stream says; forgotten when the device goes offline or the account closes. */
  presence: PresenceState;
  /** How the page sends upload parts (attachments/part-put.ts). */
  put: PutPart;
  /** The server-corrected clock. */
  now: () => number;
};

/**
 * Flushes holding the outbox lock, until every change is stored: the service worker, next
 * in line, must not find a write still in IndexedDB that was just acknowledged.
 */
const lockedFlush = (ctx: SyncContext) =>
  withOutboxLock(async () => {
    try {
      await flushOutbox(ctx);
    } finally {
      await ctx.account.outbox.settled();
    }
  });

/** Wait this long after a live update before marking its conversation delivered (batches bursts). */
const DELIVERED_DELAY_MS = 300;

/**
 * The sync sequence and everything that runs it in the background for the signed-in account:
 * one sync at a time (push the outbox, refresh conversations, load new ones, catch up, send
 * receipts, go live), one outbox flush at a time, retries with backoff after failures, and
 * the live `events` stream. Failures never reject out of here: network errors retry, sign-outs
 * are left to `signedOut`, and anything else is shown as SyncState.problem and retried.
 * Work begun for an account that has since been signed out is dropped quietly.
 */
export class BackgroundSync {
  private live: LiveEvents | null = null;
  private readonly syncs = new Serial();
  private readonly flushes = new Serial();
  private retryTimer: ReturnType<typeof setTimeout> | null = null;
  private retryAttempt = 0;
  private readonly delivered = new Set<string>();
  private deliveredTimer: ReturnType<typeof setTimeout> | null = null;
  private readonly loading = new Set<string>();
  private readonly uploads: AppUploads;
  private closed = false;

  constructor(private readonly options: BackgroundSyncOptions) {
    const { api, baseUrl, put, now } = options;
    this.uploads = new AppUploads({ api, baseUrl, put, now, ready: () => this.scheduleFlush() });
  }

  /** Runs the sync sequence (coalesced with one already running); never rejects. */
  sync(): Promise<void> {
    if (!this.options.account() || this.closed) return Promise.resolve();
    return this.syncs.run(() => this.runSync());
  }

  /**
   * Pushes the outbox now, then starts uploading the files queued messages wait for (in the
   * background: each message is pushed once its files are up); rejects (e.g. NETWORK) when
   * the outbox could not be pushed.
   */
  async flush(): Promise<void> {
    const ctx = this.context();
    await this.flushes.run(() => lockedFlush(ctx));
    this.startUploads();
  }

  /** Pushes the outbox soon; offline, leaves it to the service worker's replay when the network is back. */
  scheduleFlush(): void {
    if (this.closed) return;
    if (this.options.state.network === 'offline') {
      this.options.requestReplay();
      return;
    }
    setTimeout(() => {
      if (this.options.account() && !this.closed) void this.safely(() => this.flush());
    }, 0);
  }

  /** Sends queued read marks now (when online). */
  sendReads(): void {
    if (this.options.state.network === 'online') void this.safely(() => flushReads(this.context()));
  }

  /** Loads a conversation's newest history in the background (once at a time per conversation). */
  startLoading(conversationId: string): void {
    if (this.loading.has(conversationId) || !this.options.account()) return;
    this.loading.add(conversationId);
    void this.safely(() => loadNewest(this.context(), conversationId)).finally(() => this.loading.delete(conversationId));
  }

  /** The Api's report of whether the server answered. */
  reachable(reachable: boolean): void {
    const network = reachable ? 'online' : 'offline';
    if (network === this.options.state.network) return;
    this.options.state.set({ network });
    if (reachable) this.scheduleFlush();
  }

  /** The browser lost its network: stop the live stream until the next sync. */
  wentOffline(): void {
    this.live?.stop();
    this.options.typing.clear();
    this.options.presence.clear();
  }

  /** Stops timers and the live stream for the current account (a sign-out); syncing may start again later. */
  stop(): void {
    if (this.retryTimer) clearTimeout(this.retryTimer);
    if (this.deliveredTimer) clearTimeout(this.deliveredTimer);
    this.retryTimer = null;
    this.deliveredTimer = null;
    this.retryAttempt = 0;
    this.delivered.clear();
    this.live?.stop();
    this.live = null;
    this.options.typing.clear();
    this.options.presence.clear();
  }

  /** Stops for good and waits for the running sync and flush to end. */
  async close(): Promise<void> {
    this.closed = true;
    this.stop();
    await this.syncs.idle();
    await this.flushes.idle();
    await this.uploads.idle();
  }

  /** The sync context of the signed-in account (throws UNAUTHENTICATED when there is none). */
  context(received: (conversationId: string) => void = (id) => this.delivered.add(id)): SyncContext {
    const account = this.options.account();
    if (!account) throw new ClientError(ErrorCode.UNAUTHENTICATED, 'Sign in first');
    return {
      api: this.options.api,
      account,
      setProgress: (progress) => this.options.state.set({ progress }),
      received,
      refused: this.options.refused,
    };
  }

  /** The service worker replayed writes: take in what it did, and push what it left. */
  replayed(): void {
    if (this.options.account() && !this.closed) void this.safely(() => this.flush());
  }

  private async runSync(): Promise<void> {
    const account = this.options.account();
    if (!account || this.closed) return;
    this.options.state.set({ syncing: true });
    try {
      const ctx = this.context();
      await this.flushes.run(() => lockedFlush(ctx));
      this.startUploads();
      const head = account.cursor === undefined ? await changesHead(ctx) : undefined;
      await fetchConversations(ctx);
      await loadUnloaded(ctx);
      await fetchUnknownAuthors(ctx);
      if (head !== undefined) await account.setCursor(head);
      await catchUpChanges(ctx);
      await flushReads(ctx);
      await this.sendDelivered();
      this.retryAttempt = 0;
      // A run that ends after the account did (signed out meanwhile) must not erase the reason shown.
      if (this.options.account() === account) this.options.state.set({ problem: null });
      this.goLive();
    } catch (e) {
      this.failed(e, account);
    } finally {
      this.options.state.set({ syncing: false, progress: null });
    }
  }

  /** Uploads the account's pending files in the background (attachments/app-uploads.ts); failures retry like a sync's. */
  private startUploads(): void {
    const account = this.options.account();
    if (!account || this.closed || !account.attachments.hasPending) return;
    void this.safely(() => this.uploads.run(account));
  }

  private async sendDelivered(): Promise<void> {
    const ids = [...this.delivered];
    this.delivered.clear();
    for (const id of ids) await markDelivered(this.context(), id);
  }

  private receivedLive(conversationId: string): void {
    this.delivered.add(conversationId);
    this.deliveredTimer ??= setTimeout(() => {
      this.deliveredTimer = null;
      void this.safely(() => this.sendDelivered());
    }, DELIVERED_DELAY_MS);
  }

  /** Handles a failed background step of `account`: network errors retry with backoff; sign-outs are handled by the Api. */
  private failed(e: unknown, account: Account | null): void {
    if (this.closed || isSignedOutError(e) || !account || this.options.account() !== account) return;
    if (isNetworkError(e)) {
      if (account.outbox.size > 0) this.options.requestReplay();
      this.scheduleRetry();
      return;
    }
    console.error('Mailboat: sync failed', e);
    this.options.state.set({ problem: e instanceof Error ? e.message : String(e) });
    this.scheduleRetry();
  }

  private async safely(step: () => Promise<void>): Promise<void> {
    const account = this.options.account();
    try {
      await step();
    } catch (e) {
      this.failed(e, account);
    }
  }

  private scheduleRetry(): void {
    if (this.retryTimer || this.closed) return;
    this.retryTimer = setTimeout(
      () => {
        this.retryTimer = null;
        void this.sync();
      },
      backoffDelay(this.retryAttempt++),
    );
  }

  private goLive(): void {
    if (this.closed || !this.options.account()) return;
    this.live ??= new LiveEvents({
      baseUrl: this.options.baseUrl,
      fetch: this.options.fetch,
      token: () => this.options.tokens.fresh(),
      onEvent: (event) =>
        void this.safely(() =>
          applyLiveEvent(
            this.context((id) => this.receivedLive(id)),
            {
              startLoading: (id) => this.startLoading(id),
              revoked: async () => this.options.signedOut(ErrorCode.DEVICE_REVOKED),
              typing: (id, user, typing, expiresAt) => this.options.typing.apply(id, user, typing, expiresAt),
              presence: (userId, presence) => this.options.presence.set(userId, presence),
            },
            event,
          ),
        ),
      // Whatever happened between the last catch-up and this moment reached nobody: catch up once
      // more, on the first connect as after a break. (That sync's goLive finds the stream running.)
      onConnected: () => void this.sync(),
      onBroken: () => {
        this.options.typing.clear();
        this.scheduleRetry();
      },
      onFatal: (code) => this.options.signedOut(code),
      isFatal: (code) => code !== undefined && SIGNED_OUT_CODES.has(code),
    });
    this.live.start();
  }
}

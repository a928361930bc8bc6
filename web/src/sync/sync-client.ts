import { HybridClock } from '@mailboat/schema';
import * as Y from 'yjs';
import type { ClientOptions } from '../app/client.js';
import {
  ClientError,
  type ConversationSummary,
  type ConversationView,
  type MailboatClient,
  type MemberRole,
  type Session,
  type SyncState,
} from '../app/model.js';
import { Account } from './account.js';
import { Api } from './api.js';
import { TokenKeeper } from './auth.js';
import { backoffDelay } from './backoff.js';
import { decodeBytes } from './bytes.js';
import { catchUpChanges, changesHead, fetchConversations, loadNewest, loadOlder, loadUnloaded } from './catch-up.js';
import type { SyncContext } from './context.js';
import { absorbConversation, watermarkOf } from './conversation-records.js';
import { pullDiffs } from './diffs.js';
import { Emitter } from './emitter.js';
import { isNetworkError, isSignedOutError, networkError, SIGNED_OUT_CODES } from './errors.js';
import { flushOutbox } from './flush.js';
import { type LiveEvent, LiveEvents } from './live-events.js';
import { getMeta, openAccountDb, readCurrentAccount, setMeta, writeCurrentAccount } from './local-db.js';
import { LocalWriter } from './local-writes.js';
import { OnlineOps } from './online-ops.js';
import * as Q from './operations.js';
import { REMOTE } from './origins.js';
import { flushReads, markDelivered, queueRead } from './receipts.js';
import { Serial } from './serial.js';

const EMPTY_VIEW: ConversationView = Object.freeze({ messages: [], hasOlder: false, loadingOlder: false }) as ConversationView;
const NO_CONVERSATIONS: ConversationSummary[] = Object.freeze([]) as unknown as ConversationSummary[];

type AuthPayload = {
  accessToken: string;
  accessTokenExpiresAt: string;
  refreshToken: string | null;
  user: Session['user'];
  device: { id: string };
};

/**
 * The local-first MailboatClient (see model.ts): snapshots come from the device's own data,
 * writes land there synchronously, and sync runs in the background — on launch, on
 * reconnect, on return to the foreground, after each write, and live over SSE.
 */
export class SyncClient implements MailboatClient {
  /** Resolves once the device's stored session (if any) and data are open. */
  readonly ready: Promise<void>;
  private account: Account | null = null;
  private writer: LocalWriter | null = null;
  private readonly emitter = new Emitter();
  private state: SyncState;
  private readonly tokens: TokenKeeper;
  private readonly api: Api;
  private readonly ops: OnlineOps;
  private readonly clock: HybridClock;
  private readonly factory: IDBFactory;
  private readonly fetchFn: typeof fetch;
  private readonly baseUrl: string;
  private readonly delivery: 'COOKIE' | 'BODY';
  private readonly now: () => number;
  private live: LiveEvents | null = null;
  private readonly syncs = new Serial();
  private readonly flushes = new Serial();
  private retryTimer: ReturnType<typeof setTimeout> | null = null;
  private retryAttempt = 0;
  private readonly delivered = new Set<string>();
  private deliveredTimer: ReturnType<typeof setTimeout> | null = null;
  private readonly loading = new Set<string>();
  private closed = false;
  private signingOut = false;
  private readonly unlisten: () => void;

  constructor(private readonly options: ClientOptions = {}) {
    this.baseUrl = options.baseUrl ?? '';
    this.fetchFn = options.fetch ?? ((input, init) => globalThis.fetch(input, init));
    const factory = options.indexedDB ?? globalThis.indexedDB;
    if (!factory) throw new Error('Mailboat needs IndexedDB');
    this.factory = factory;
    this.delivery = options.refreshTokenDelivery ?? 'COOKIE';
    this.now = options.now ?? Date.now;
    this.clock = new HybridClock(this.now);
    const online = (globalThis.navigator as Navigator | undefined)?.onLine ?? true;
    this.state = { network: online ? 'online' : 'offline', syncing: false, pending: 0, progress: null, problem: null };
    this.tokens = new TokenKeeper({
      baseUrl: this.baseUrl,
      fetch: this.fetchFn,
      delivery: this.delivery,
      now: this.now,
      refreshTokens: () => {
        const account = this.account;
        if (!account) return null;
        return { get: () => getMeta(account.db, 'refreshToken'), set: (t) => setMeta(account.db, 'refreshToken', t) };
      },
    });
    this.api = new Api({
      baseUrl: this.baseUrl,
      fetch: this.fetchFn,
      tokens: this.tokens,
      onReachable: (reachable) => this.reachable(reachable),
      onSignedOut: (e) => void this.signedOut(e.message),
    });
    this.ops = new OnlineOps(
      this.api,
      () => this.requireAccount(),
      (id) => this.startLoading(id),
    );
    this.unlisten = this.listenToBrowser();
    this.ready = this.restore();
  }

  // Snapshots.

  subscribe(listener: () => void): () => void {
    return this.emitter.subscribe(listener);
  }

  session(): Session | null {
    return this.account?.session ?? null;
  }

  syncState(): SyncState {
    const pending = this.account?.outbox.size ?? 0;
    if (pending !== this.state.pending) this.state = { ...this.state, pending };
    return this.state;
  }

  conversations(): ConversationSummary[] {
    return this.account?.summaryList() ?? NO_CONVERSATIONS;
  }

  conversation(conversationId: string): ConversationView {
    const account = this.account;
    if (!account) return EMPTY_VIEW;
    if (account.conversations.get(conversationId)?.loaded === false) this.startLoading(conversationId);
    return account.view(conversationId);
  }

  // Signing in and out.

  async signUp(input: { handle: string; displayName: string; password: string }): Promise<void> {
    const data = await this.api.run<{ signUp: AuthPayload }>(Q.SIGN_UP, { input: { ...input, ...this.deviceInput() } }, true);
    await this.begin(data.signUp);
  }

  async signIn(input: { handle: string; password: string }): Promise<void> {
    const data = await this.api.run<{ signIn: AuthPayload }>(Q.SIGN_IN, { input: { ...input, ...this.deviceInput() } }, true);
    await this.begin(data.signIn);
  }

  async redeemPairingCode(code: string): Promise<void> {
    const data = await this.api.run<{ redeemPairingCode: AuthPayload }>(Q.REDEEM, { input: { code, ...this.deviceInput() } }, true);
    await this.begin(data.redeemPairingCode);
  }

  async signOut(): Promise<void> {
    await this.ready;
    if (!this.account) return;
    await this.flushes.run(() => flushOutbox(this.context())).catch(() => undefined);
    await this.api.run(Q.SIGN_OUT).catch(() => undefined);
    await this.endSession();
  }

  // Local-first writes.

  send(conversationId: string, text: string, replyTo?: string): string {
    return this.requireWriter().send(conversationId, text, replyTo);
  }

  edit(messageId: string, text: string): void {
    this.requireWriter().edit(messageId, text);
  }

  remove(messageId: string): void {
    this.requireWriter().remove(messageId);
  }

  react(messageId: string, emoji: string | null): void {
    this.requireWriter().react(messageId, emoji);
  }

  retry(messageId: string): void {
    this.requireWriter().retry(messageId);
  }

  dismiss(messageId: string): void {
    this.requireWriter().dismiss(messageId);
  }

  async loadOlder(conversationId: string): Promise<void> {
    const account = this.requireAccount();
    if (account.loadingOlder.has(conversationId)) return;
    account.loadingOlder.add(conversationId);
    account.changed(conversationId);
    try {
      await loadOlder(this.context(), conversationId);
    } finally {
      account.loadingOlder.delete(conversationId);
      account.changed(conversationId);
    }
  }

  markRead(conversationId: string): void {
    const account = this.account;
    if (!account) return;
    void queueRead(account, conversationId).then((queued) => {
      if (queued && this.state.network === 'online') void this.safely(() => flushReads(this.context()));
    });
  }

  /** Syncs now: pushes the outbox, refreshes conversations, catches up, sends receipts and goes live. Never rejects. */
  async syncNow(): Promise<void> {
    await this.ready;
    if (!this.account || this.closed) return;
    await this.syncs.run(() => this.runSync());
  }

  // Online-only operations.

  findUser = (handle: string) => this.online(() => this.ops.findUser(handle));
  openDirect = (userId: string) => this.online(() => this.ops.openDirect(userId));
  createGroup = (title: string, memberIds: string[]) => this.online(() => this.ops.createGroup(title, memberIds));
  members = (conversationId: string) => this.online(() => this.ops.members(conversationId));
  addMembers = (conversationId: string, userIds: string[]) => this.online(() => this.ops.addMembers(conversationId, userIds));
  removeMember = (conversationId: string, userId: string) => this.online(() => this.ops.removeMember(conversationId, userId));
  setRole = (conversationId: string, userId: string, role: MemberRole) => this.online(() => this.ops.setRole(conversationId, userId, role));
  rename = (conversationId: string, title: string) => this.online(() => this.ops.rename(conversationId, title));
  leave = (conversationId: string) => this.online(() => this.ops.leave(conversationId));
  devices = () => this.online(() => this.ops.devices());
  revokeDevice = (deviceId: string) => this.online(() => this.ops.revokeDevice(deviceId));
  createPairingCode = () => this.online(() => this.ops.createPairingCode());

  async updateProfile(displayName: string): Promise<void> {
    const user = await this.online(() => this.ops.updateProfile(displayName));
    const account = this.requireAccount();
    await account.setSession({ ...account.session, user });
    this.emitter.emit();
  }

  /** Stops syncing and closes the device's databases (data stays). Not part of MailboatClient: for tests and page unload. */
  async close(): Promise<void> {
    this.closed = true;
    this.unlisten();
    this.stopTimers();
    this.live?.stop();
    this.live = null;
    await this.ready.catch(() => undefined);
    await this.syncs.idle();
    await this.flushes.idle();
    await this.account?.close();
    this.account = null;
    this.writer = null;
  }

  // Internals.

  private async restore(): Promise<void> {
    const userId = await readCurrentAccount(this.factory);
    if (!userId) return;
    const db = await openAccountDb(this.factory, userId);
    const session = await getMeta(db, 'session');
    db.close();
    if (!session) return;
    await this.openAccount(session);
    void this.syncNow();
  }

  private async begin(payload: AuthPayload): Promise<void> {
    await this.ready;
    if (this.account) await this.endSession();
    this.tokens.accept(payload.accessToken, payload.accessTokenExpiresAt);
    const session: Session = { user: payload.user, deviceId: payload.device.id };
    await this.openAccount(session);
    const account = this.requireAccount();
    if (payload.refreshToken) await setMeta(account.db, 'refreshToken', payload.refreshToken);
    await writeCurrentAccount(this.factory, session.user.id);
    this.setState({ problem: null });
    void this.syncNow();
  }

  private async openAccount(session: Session): Promise<void> {
    const account = await Account.open(
      this.factory,
      session,
      () => this.emitter.emit(),
      (at) => this.clock.observe(at),
    );
    this.account = account;
    this.writer = new LocalWriter(account, this.clock, () => this.scheduleFlush(), this.now);
    this.emitter.emit();
  }

  /** Wipes the account's data from the device and forgets the session. */
  private async endSession(): Promise<void> {
    const account = this.account;
    this.stopTimers();
    this.live?.stop();
    this.live = null;
    this.tokens.clear();
    this.account = null;
    this.writer = null;
    this.emitter.emit();
    if (!account) return;
    await writeCurrentAccount(this.factory, null);
    await account.wipe();
  }

  /** The device was signed out for good (revoked, refresh refused): say so, then wipe. */
  private async signedOut(why: string): Promise<void> {
    if (this.signingOut || !this.account) return;
    this.signingOut = true;
    try {
      this.setState({ problem: `This device was signed out: ${why}` });
      await this.endSession();
    } finally {
      this.signingOut = false;
    }
  }

  private async runSync(): Promise<void> {
    const account = this.account;
    if (!account || this.closed) return;
    this.setState({ syncing: true });
    const ctx = this.context();
    try {
      await this.flushes.run(() => flushOutbox(ctx));
      const head = account.cursor === undefined ? await changesHead(ctx) : undefined;
      await fetchConversations(ctx);
      await loadUnloaded(ctx);
      if (head !== undefined) await account.setCursor(head);
      await catchUpChanges(ctx);
      await flushReads(ctx);
      await this.sendDelivered();
      this.retryAttempt = 0;
      this.setState({ problem: null });
      this.goLive();
    } catch (e) {
      this.failed(e);
    } finally {
      this.setState({ syncing: false, progress: null });
    }
  }

  private context(): SyncContext {
    return {
      api: this.api,
      account: this.requireAccount(),
      setProgress: (progress) => this.setState({ progress }),
      received: (conversationId) => this.delivered.add(conversationId),
    };
  }

  private async sendDelivered(): Promise<void> {
    const ids = [...this.delivered];
    this.delivered.clear();
    for (const id of ids) await markDelivered(this.context(), id);
  }

  /** Handles a failed background step: network errors retry with backoff; sign-outs are handled by the Api. */
  private failed(e: unknown): void {
    if (this.closed || isSignedOutError(e)) return;
    if (isNetworkError(e)) {
      this.scheduleRetry();
      return;
    }
    console.error('Mailboat: sync failed', e);
    this.setState({ problem: e instanceof Error ? e.message : String(e) });
    this.scheduleRetry();
  }

  private async safely(step: () => Promise<void>): Promise<void> {
    try {
      await step();
    } catch (e) {
      this.failed(e);
    }
  }

  private scheduleFlush(): void {
    if (this.state.network === 'offline' || this.closed) return;
    setTimeout(() => {
      if (this.account && !this.closed) void this.safely(() => this.flushes.run(() => flushOutbox(this.context())));
    }, 0);
  }

  private scheduleRetry(): void {
    if (this.retryTimer || this.closed) return;
    this.retryTimer = setTimeout(
      () => {
        this.retryTimer = null;
        void this.syncNow();
      },
      backoffDelay(this.retryAttempt++),
    );
  }

  private stopTimers(): void {
    if (this.retryTimer) clearTimeout(this.retryTimer);
    if (this.deliveredTimer) clearTimeout(this.deliveredTimer);
    this.retryTimer = null;
    this.deliveredTimer = null;
  }

  private reachable(reachable: boolean): void {
    const network = reachable ? 'online' : 'offline';
    if (network === this.state.network) return;
    this.setState({ network });
    if (reachable) this.scheduleFlush();
  }

  private startLoading(conversationId: string): void {
    if (this.loading.has(conversationId) || !this.account) return;
    this.loading.add(conversationId);
    void this.safely(() => loadNewest(this.context(), conversationId)).finally(() => this.loading.delete(conversationId));
  }

  private goLive(): void {
    if (this.closed || !this.account) return;
    this.live ??= new LiveEvents({
      baseUrl: this.baseUrl,
      fetch: this.fetchFn,
      token: () => this.tokens.fresh(),
      onEvent: (event) => void this.safely(() => this.onEvent(event)),
      onConnected: (reconnected) => {
        if (reconnected) void this.syncNow();
      },
      onBroken: () => this.scheduleRetry(),
      onFatal: (code) => void this.signedOut(code === 'DEVICE_REVOKED' ? 'it was revoked' : code),
      isFatal: (code) => code !== undefined && SIGNED_OUT_CODES.has(code),
    });
    this.live.start();
  }

  private async onEvent(event: LiveEvent): Promise<void> {
    const account = this.account;
    if (!account) return;
    switch (event.__typename) {
      case 'SegmentUpdatedEvent': {
        const { conversationId, segment } = event as unknown as { conversationId: string; segment: number };
        let held = account.segments.get(conversationId, segment);
        if (!held && account.conversations.get(conversationId)?.loaded) held = account.hold(conversationId, segment);
        if (!held) return;
        Y.applyUpdate(held.doc, decodeBytes(event.update), REMOTE);
        if (held.doc.store.pendingStructs || held.doc.store.pendingDs) await pullDiffs(this.context(), [{ conversationId, segment }]);
        this.delivered.add(conversationId);
        this.deliveredTimer ??= setTimeout(() => {
          this.deliveredTimer = null;
          void this.safely(() => this.sendDelivered());
        }, 300);
        return;
      }
      case 'ReceiptEvent': {
        if (!event.user) return;
        const mark = watermarkOf(event as unknown as Parameters<typeof watermarkOf>[0]);
        const members = account.receipts.get(event.conversationId) ?? [];
        const next = members.some((w) => w.userId === mark.userId)
          ? members.map((w) => (w.userId === mark.userId ? mark : w))
          : [...members, mark];
        await account.putUsers([event.user]);
        await account.putReceipts(event.conversationId, next);
        return;
      }
      case 'ConversationAddedEvent':
      case 'ConversationUpdatedEvent': {
        if (!event.conversation) return;
        const record = await absorbConversation(account, event.conversation);
        if (!record.loaded) this.startLoading(record.id);
        return;
      }
      case 'ConversationRemovedEvent':
        await account.dropConversation(event.conversationId);
        return;
      case 'DeviceRevokedEvent':
        if (event.deviceId === account.session.deviceId) await this.signedOut('it was revoked');
        return;
    }
  }

  private online<T>(op: () => Promise<T>): Promise<T> {
    if ((globalThis.navigator as Navigator | undefined)?.onLine === false) return Promise.reject(networkError('You are offline'));
    return op();
  }

  private requireAccount(): Account {
    if (!this.account) throw new ClientError('UNAUTHENTICATED', 'Sign in first');
    return this.account;
  }

  private requireWriter(): LocalWriter {
    if (!this.writer) throw new ClientError('UNAUTHENTICATED', 'Sign in first');
    return this.writer;
  }

  private deviceInput() {
    const device = this.options.device ?? { name: defaultDeviceName(), platform: 'web', appVersion: '0.1.0' };
    return { device, refreshTokenDelivery: this.delivery };
  }

  private setState(patch: Partial<SyncState>): void {
    const next = { ...this.state, ...patch };
    const same = (Object.keys(patch) as (keyof SyncState)[]).every((k) => JSON.stringify(this.state[k]) === JSON.stringify(next[k]));
    if (same) return;
    this.state = next;
    this.emitter.emit();
  }

  private listenToBrowser(): () => void {
    const w = globalThis as { addEventListener?: Window['addEventListener']; removeEventListener?: Window['removeEventListener'] };
    if (typeof w.addEventListener !== 'function' || typeof w.removeEventListener !== 'function') return () => {};
    const online = () => {
      this.setState({ network: 'online' });
      void this.syncNow();
    };
    const offline = () => {
      this.setState({ network: 'offline' });
      this.live?.stop();
    };
    w.addEventListener('online', online);
    w.addEventListener('offline', offline);
    return () => {
      w.removeEventListener?.('online', online);
      w.removeEventListener?.('offline', offline);
    };
  }
}

function defaultDeviceName(): string {
  const ua = (globalThis.navigator as Navigator | undefined)?.userAgent ?? '';
  const kind = /Android/i.test(ua)
    ? 'Android'
    : /iPhone|iPad/i.test(ua)
      ? 'iOS'
      : /Mac/i.test(ua)
        ? 'Mac'
        : /Windows/i.test(ua)
          ? 'Windows'
          : 'Linux';
  return `Browser on ${kind}`;
}

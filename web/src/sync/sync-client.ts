import { ErrorCode } from '@mailboat/schema';
import {
  type AccountSettings,
  type AttachmentVariant,
  ClientError,
  ClientOnlyErrorCode,
  type ConversationSummary,
  type ConversationView,
  type MailboatClient,
  type MemberRole,
  type MuteDuration,
  type Presence,
  type Session,
  type SyncState,
  type User,
} from '../app/model.js';
import { type Preview, readPreview } from '../launch/preview.js';
import type { Account } from './account.js';
import { AccountSettingsStore } from './account-settings.js';
import type { Api } from './api.js';
import { ClientAttachments } from './attachments/client-attachments.js';
import type { BackgroundSync } from './background-sync.js';
import { loadOlder } from './catch-up.js';
import type { ClientOptions } from './client-options.js';
import { buildClientParts } from './client-parts.js';
import { refreshPreferences } from './device-preferences.js';
import { networkError } from './errors.js';
import type { LocalWriter } from './local-writes.js';
import { OnlineOps } from './online-ops.js';
import * as Q from './operations.js';
import type { PresenceState } from './presence-state.js';
import { PushSubscriptions } from './push-subscription.js';
import { queueRead } from './receipts.js';
import { onReplayed } from './replay-request.js';
import type { AuthPayload, SessionLifecycle } from './session-lifecycle.js';
import type { SyncStateBox } from './sync-state.js';
import { TypingSender } from './typing-sender.js';
import type { TypingState } from './typing-state.js';

const EMPTY_VIEW: ConversationView = Object.freeze({ messages: [], hasOlder: false, loadingOlder: false }) as ConversationView;
const NO_CONVERSATIONS: ConversationSummary[] = Object.freeze([]) as unknown as ConversationSummary[];

/**
 * The local-first MailboatClient (see model.ts): snapshots come from the device's own data,
 * writes land there synchronously, and sync runs in the background — on launch, on
 * reconnect, on return to the foreground, after each write, and live over SSE. The session
 * (session-lifecycle.ts) and the background sync (background-sync.ts) do the work; this
 * class wires them to the contract.
 */
export class SyncClient implements MailboatClient {
  /**
   * Resolves once the app can show: the device's stored session (if any) and data are open,
   * or, when its documents are big, their preview is shown while they load (see preview.ts).
   */
  readonly ready: Promise<void>;
  /** Resolves once the device's stored session (if any) and data are open. */
  private readonly restored: Promise<void>;
  /** What the screens show until the stored session is open, or null. */
  private preview: Preview | null = null;
  private readonly state: SyncStateBox;
  private readonly api: Api;
  private readonly sessions: SessionLifecycle;
  private readonly background: BackgroundSync;
  private readonly delivery: 'COOKIE' | 'BODY';
  private readonly ops: OnlineOps;
  private readonly push: PushSubscriptions;
  private readonly accountSettings: AccountSettingsStore;
  private readonly typers: TypingState;
  private readonly presences: PresenceState;
  private readonly typingSender: TypingSender;
  private readonly files: ClientAttachments;
  private closed = false;
  private readonly unlisten: () => void;

  /** Builds the parts (client-parts.ts), then starts them: restores the stored session, shows its preview meanwhile, and listens to the browser. */
  constructor(private readonly options: ClientOptions = {}) {
    const parts = buildClientParts(options);
    this.state = parts.state;
    this.api = parts.api;
    this.sessions = parts.sessions;
    this.background = parts.background;
    this.delivery = parts.delivery;
    this.typers = parts.typing;
    this.presences = parts.presence;
    this.typingSender = new TypingSender({
      send: (c, t) => this.api.mutation(Q.SET_TYPING, { c, t }),
      online: () => this.sessions.account !== null && this.state.network === 'online' && browserIsOnline(),
    });
    this.ops = new OnlineOps(
      this.api,
      () => this.requireAccount(),
      (id) => this.background.startLoading(id),
    );
    this.push = new PushSubscriptions(
      this.api,
      () => this.sessions.account,
      () => this.state.emit(),
    );
    this.accountSettings = new AccountSettingsStore(
      this.api,
      () => this.sessions.account,
      () => this.state.emit(),
    );
    this.files = new ClientAttachments({
      factory: parts.factory,
      download: {
        baseUrl: parts.baseUrl,
        fetch: parts.fetch,
        tokens: parts.tokens,
        signedOut: (e) => void this.sessions.signedOut(e.code),
      },
      account: () => this.sessions.account,
      writer: () => this.requireWriter(),
      afterWrite: () => this.background.scheduleFlush(),
      serverNow: parts.serverNow,
      emit: () => this.state.emit(),
    });
    this.restored = this.sessions.restore();
    this.ready = Promise.race([this.restored, this.showPreview(parts.factory)]);
    this.unlisten = this.listenToBrowser();
  }

  // Snapshots.

  subscribe(listener: () => void): () => void {
    return this.state.subscribe(listener);
  }

  session(): Session | null {
    return this.sessions.account?.session ?? this.preview?.session ?? null;
  }

  syncState(): SyncState {
    const account = this.sessions.account;
    return this.state.get(account?.outbox.size ?? 0, account?.signInExpiresAt);
  }

  conversations(): ConversationSummary[] {
    const account = this.sessions.account;
    if (!account) return this.preview?.summaries ?? NO_CONVERSATIONS;
    return account.summaryList();
  }

  conversation(conversationId: string): ConversationView {
    const account = this.sessions.account;
    if (!account) return this.preview?.view(conversationId) ?? EMPTY_VIEW;
    if (account.conversations.get(conversationId)?.loaded === false) this.background.startLoading(conversationId);
    account.preview?.read(conversationId);
    return account.view(conversationId);
  }

  typing(conversationId: string): User[] {
    return this.typers.typing(conversationId);
  }

  presence(userId: string): Presence | null {
    return this.presences.get(userId);
  }

  // Signing in and out.

  // Each waits for the launch restore first: it may open a session (or refresh the cookie) itself.

  async signUp(input: { handle: string; displayName: string; password: string }): Promise<void> {
    await this.restored;
    const data = await this.api.mutation(Q.SIGN_UP, { input: { ...input, ...this.deviceInput() } }, { anonymous: true });
    await this.begin(data.signUp);
  }

  async signIn(input: { handle: string; password: string }): Promise<void> {
    await this.restored;
    const data = await this.api.mutation(Q.SIGN_IN, { input: { ...input, ...this.deviceInput() } }, { anonymous: true });
    await this.begin(data.signIn);
  }

  async redeemPairingCode(code: string): Promise<void> {
    await this.restored;
    const data = await this.api.mutation(Q.REDEEM, { input: { code, ...this.deviceInput() } }, { anonymous: true });
    await this.begin(data.redeemPairingCode);
  }

  async signOut(): Promise<void> {
    await this.restored;
    this.typingSender.stopAll();
    const hadAccount = this.sessions.account !== null;
    await this.sessions.signOut(() => this.background.flush());
    if (!this.sessions.account) this.files.releaseAll();
    // The server deleted the device's push subscription with the session; the browser's goes too.
    if (hadAccount && !this.sessions.account) await this.push.signingOut();
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

  // Attachments (attachments/client-attachments.ts).

  sendFiles(conversationId: string, files: readonly File[], caption: string, replyTo?: string): Promise<string> {
    return this.files.sendFiles(conversationId, files, caption, replyTo);
  }

  cancelUpload(messageId: string): void {
    this.files.cancelUpload(messageId);
  }

  attachmentLimits = () => this.files.attachmentLimits();
  /** Waits for the launch restore first: the preview's rows name attachments before the account is open. */
  async attachmentUrl(attachmentId: string, variant: AttachmentVariant): Promise<string> {
    await this.restored.catch(() => undefined);
    return this.files.attachmentUrl(attachmentId, variant);
  }

  releaseAttachmentUrl = (url: string) => this.files.releaseAttachmentUrl(url);
  attachmentCacheLimit = () => this.files.attachmentCacheLimit();
  setAttachmentCacheLimit = (bytes: number) => this.files.setAttachmentCacheLimit(bytes);

  async loadOlder(conversationId: string): Promise<void> {
    const account = this.requireAccount();
    if (account.loadingOlder.has(conversationId)) return;
    account.loadingOlder.add(conversationId);
    account.changed(conversationId);
    try {
      await loadOlder(this.background.context(), conversationId);
    } finally {
      account.loadingOlder.delete(conversationId);
      account.changed(conversationId);
    }
  }

  markRead(conversationId: string): void {
    const account = this.sessions.account;
    if (!account) return;
    void queueRead(account, conversationId).then((queued) => {
      if (queued) this.background.sendReads();
    });
  }

  /** Syncs now: pushes the outbox, refreshes conversations, catches up, sends receipts and goes live. Never rejects. */
  async syncNow(): Promise<void> {
    await this.restored;
    if (this.closed) return;
    await this.background.sync();
    if (this.sessions.account && !this.closed) await refreshPreferences(this.api, this.push, this.accountSettings);
    if (this.sessions.account && !this.closed) await this.files.refreshLimits(this.api);
  }

  reportTyping(conversationId: string, typing: boolean): void {
    if (typing) this.typingSender.typed(conversationId);
    else this.typingSender.stopped(conversationId);
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
  mute = (conversationId: string, duration: MuteDuration) => this.online(() => this.ops.mute(conversationId, duration));
  unmute = (conversationId: string) => this.online(() => this.ops.unmute(conversationId));

  async refreshPresence(userIds: string[]): Promise<void> {
    const found = await this.online(() => this.ops.presence(userIds));
    for (const [id, presence] of found) this.presences.set(id, presence);
  }

  // Notifications and settings (push-subscription.ts, account-settings.ts).

  notifications = () => this.push.state();
  enableNotifications = () => this.push.enable();
  disableNotifications = () => this.push.disable();
  dismissNotificationPrompt = () => this.push.dismissPrompt();
  settings = () => this.accountSettings.get();
  updateSettings = (input: Partial<AccountSettings>) => this.accountSettings.update(input);

  async updateProfile(displayName: string): Promise<void> {
    const user = await this.online(() => this.ops.updateProfile(displayName));
    const account = this.requireAccount();
    await account.setSession({ ...account.session, user });
    this.state.emit();
  }

  /** Stops syncing and closes the device's databases (data stays). Not part of MailboatClient: for tests and page unload. */
  async close(): Promise<void> {
    this.closed = true;
    this.unlisten();
    await this.restored.catch(() => undefined);
    await this.background.close();
    await this.sessions.close();
  }

  // Internals.

  private begin(payload: AuthPayload): Promise<void> {
    return this.sessions.begin(payload);
  }

  private online<T>(op: () => Promise<T>): Promise<T> {
    if (!browserIsOnline()) return Promise.reject(networkError('You are offline'));
    return op();
  }

  private requireAccount(): Account {
    if (!this.sessions.account) throw this.notOpen();
    return this.sessions.account;
  }

  private requireWriter(): LocalWriter {
    if (!this.sessions.writer) throw this.notOpen();
    return this.sessions.writer;
  }

  private notOpen(): ClientError {
    if (this.preview)
      return new ClientError(ClientOnlyErrorCode.UNAVAILABLE, 'Mailboat is still opening your messages; try again in a moment');
    return new ClientError(ErrorCode.UNAUTHENTICATED, 'Sign in first');
  }

  /**
   * Shows the stored preview until the launch restore settles, and resolves once it is
   * shown; never resolves when there is none (the launch then waits for the restore).
   */
  private async showPreview(factory: IDBFactory): Promise<void> {
    let settled = false;
    void this.restored
      .catch((e: unknown) => {
        if (this.preview) console.error('Mailboat could not open its local data', e);
      })
      .finally(() => {
        settled = true;
        if (!this.preview) return;
        this.preview = null;
        this.state.emit();
      });
    const preview = await readPreview(factory).catch(() => null);
    if (!preview || settled || this.sessions.account) return new Promise<void>(() => {});
    this.preview = preview;
    this.state.emit();
  }

  private deviceInput() {
    const device = this.options.device ?? { name: defaultDeviceName(), platform: 'web', appVersion: '0.1.0' };
    return { device, refreshTokenDelivery: this.delivery };
  }

  private listenToBrowser(): () => void {
    const w = globalThis as { addEventListener?: Window['addEventListener']; removeEventListener?: Window['removeEventListener'] };
    if (typeof w.addEventListener !== 'function' || typeof w.removeEventListener !== 'function') return () => {};
    const online = () => {
      this.state.set({ network: 'online' });
      void this.syncNow();
    };
    const offline = () => {
      this.state.set({ network: 'offline' });
      this.background.wentOffline();
    };
    w.addEventListener('online', online);
    w.addEventListener('offline', offline);
    const stopReplayed = onReplayed(() => this.background.replayed());
    return () => {
      stopReplayed();
      w.removeEventListener?.('online', online);
      w.removeEventListener?.('offline', offline);
    };
  }
}

function browserIsOnline(): boolean {
  return (globalThis.navigator as Navigator | undefined)?.onLine !== false;
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

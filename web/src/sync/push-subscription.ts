import { ErrorCode } from '@mailboat/schema';
import { ClientError, ClientOnlyErrorCode, type NotificationsState } from '../app/model.js';
import type { Account } from './account.js';
import type { Api } from './api.js';
import { getMeta, setMeta } from './local-db.js';
import { PUSH_STATE, REGISTER_PUSH, REMOVE_PUSH } from './operations.js';
import { base64UrlBytes, sameKey, subscriptionFields } from './push-keys.js';

type Permission = NotificationsState['permission'];

/** What this device keeps of the open account's notifications, read from its IndexedDB once per account. */
type Stored = { userId: string; endpoint: string | undefined; promptDismissed: boolean };

/**
 * Web Push for this device (notifications with the app closed), the app's side; the service
 * worker shows them (sw/src/push.ts).
 *
 * - `enable` (only from a user gesture): asks the browser's permission, subscribes with the
 *   API's VAPID key (`webPushPublicKey`) and registers the subscription
 *   (`registerPushSubscription`); the endpoint is remembered in the account's IndexedDB
 *   (`pushEndpoint`), which is what "on" means on this device.
 * - `disable`: `removePushSubscription`, then unsubscribes the browser.
 * - `check` (at every sync, with the server's view of the device): while on and allowed, a
 *   browser subscription that was rotated, dropped or is unknown to the server is subscribed
 *   and registered again, with no prompt (permission is already granted).
 * - `signingOut`: the server deletes the subscription with the session; the browser's goes too.
 *
 * Never asks for permission by itself. Where the browser has no Push API (or no service
 * worker: tests in Node, development builds) `supported` is false and nothing is sent.
 */
export class PushSubscriptions {
  private stored: Stored | null = null;
  private snapshot: NotificationsState | null = null;

  constructor(
    private readonly api: Api,
    private readonly account: () => Account | null,
    private readonly emit: () => void,
  ) {}

  state(): NotificationsState {
    const stored = this.storedFor(this.account());
    const supported = pushSupported();
    const permission = currentPermission();
    const next: NotificationsState = {
      supported,
      permission,
      enabled: supported && permission === 'granted' && stored?.endpoint !== undefined,
      promptDismissed: stored?.promptDismissed ?? false,
    };
    const s = this.snapshot;
    if (
      !s ||
      s.supported !== next.supported ||
      s.permission !== next.permission ||
      s.enabled !== next.enabled ||
      s.promptDismissed !== next.promptDismissed
    )
      this.snapshot = next;
    return this.snapshot as NotificationsState;
  }

  async enable(): Promise<void> {
    if (!pushSupported()) throw new ClientError(ClientOnlyErrorCode.UNKNOWN, 'This browser cannot show notifications from Mailboat');
    const N = globalThis.Notification;
    // First, while the person's click still counts as a gesture: browsers refuse the prompt otherwise.
    const permission = N.permission === 'granted' ? 'granted' : await N.requestPermission();
    this.emit();
    if (permission !== 'granted') return;
    const account = this.requireAccount();
    const { webPushPublicKey } = await this.api.query(PUSH_STATE);
    const subscription = await browserSubscription(webPushPublicKey);
    await this.register(account, subscription);
  }

  async disable(): Promise<void> {
    const account = this.requireAccount();
    await this.api.mutation(REMOVE_PUSH);
    await this.remember(account, undefined);
    await unsubscribeBrowser();
  }

  /**
   * Keeps the device's subscription registered while notifications are on here: with
   * permission granted, the browser's subscription (subscribed again when it was dropped) is
   * registered when it is not the one remembered, or the server no longer has it (a push
   * service answered 404/410, say). Rejects when the browser or the server refuses.
   */
  async check(serverHasIt: boolean, webPushPublicKey: string): Promise<void> {
    const account = this.account();
    if (!account || !pushSupported() || currentPermission() !== 'granted') return;
    const stored = await this.load(account);
    if (stored.endpoint === undefined) return;
    const subscription = await browserSubscription(webPushPublicKey);
    if (subscription.endpoint !== stored.endpoint || !serverHasIt) await this.register(account, subscription);
  }

  /** The account is signing out (the server deletes its subscription): unsubscribes the browser too. Never rejects. */
  async signingOut(): Promise<void> {
    await unsubscribeBrowser().catch(() => undefined);
  }

  dismissPrompt(): void {
    const account = this.account();
    if (!account) return;
    const stored = this.storedFor(account);
    if (stored) stored.promptDismissed = true;
    this.emit();
    void setMeta(account.db, 'notificationPromptDismissed', true).catch(() => undefined);
  }

  private async register(account: Account, subscription: PushSubscription): Promise<void> {
    await this.api.mutation(REGISTER_PUSH, { input: subscriptionFields(subscription) });
    await this.remember(account, subscription.endpoint);
  }

  private async remember(account: Account, endpoint: string | undefined): Promise<void> {
    const stored = await this.load(account);
    stored.endpoint = endpoint;
    this.emit();
    await setMeta(account.db, 'pushEndpoint', endpoint);
  }

  /** The stored state of `account` when it has been read; else starts reading it (and notifies once read). */
  private storedFor(account: Account | null): Stored | null {
    if (!account) return null;
    if (this.stored?.userId === account.viewerId) return this.stored;
    void this.load(account).then(this.emit, () => undefined);
    return null;
  }

  private loading: { userId: string; promise: Promise<Stored> } | null = null;

  private load(account: Account): Promise<Stored> {
    if (this.stored?.userId === account.viewerId) return Promise.resolve(this.stored);
    if (this.loading?.userId !== account.viewerId) {
      const userId = account.viewerId;
      const promise = Promise.all([getMeta(account.db, 'pushEndpoint'), getMeta(account.db, 'notificationPromptDismissed')]).then(
        ([endpoint, dismissed]) => {
          if (this.stored?.userId !== userId) this.stored = { userId, endpoint, promptDismissed: dismissed === true };
          return this.stored;
        },
      );
      this.loading = { userId, promise };
    }
    return this.loading.promise;
  }

  private requireAccount(): Account {
    const account = this.account();
    if (!account) throw new ClientError(ErrorCode.UNAUTHENTICATED, 'Sign in first');
    return account;
  }
}

/** Whether this browser can receive Web Push and show notifications (and a service worker runs the app). */
function pushSupported(): boolean {
  const g = globalThis as { Notification?: unknown; PushManager?: unknown; navigator?: { serviceWorker?: unknown } };
  return typeof g.Notification === 'function' && typeof g.PushManager === 'function' && g.navigator?.serviceWorker !== undefined;
}

function currentPermission(): Permission {
  const p = (globalThis as { Notification?: { permission?: string } }).Notification?.permission;
  return p === 'granted' || p === 'denied' ? p : 'default';
}

/** The service worker's registration; throws when the app runs without one (a development build). */
async function registration(): Promise<ServiceWorkerRegistration> {
  const container = globalThis.navigator.serviceWorker;
  if (!(await container.getRegistration())) {
    throw new ClientError(ClientOnlyErrorCode.UNKNOWN, 'Mailboat is not installed in this browser yet: reload the page and try again');
  }
  return container.ready;
}

/**
 * The browser's push subscription for `webPushPublicKey` (base64url): the current one, or a
 * new one when there is none or it was made with another key (the server's keys changed).
 */
async function browserSubscription(webPushPublicKey: string): Promise<PushSubscription> {
  const key = base64UrlBytes(webPushPublicKey);
  const { pushManager } = await registration();
  let existing = await pushManager.getSubscription();
  if (existing && !sameKey(existing.options.applicationServerKey, key)) {
    await existing.unsubscribe().catch(() => undefined);
    existing = null;
  }
  if (existing) return existing;
  try {
    return await pushManager.subscribe({ userVisibleOnly: true, applicationServerKey: key });
  } catch (e) {
    const why = e instanceof Error ? e.message : String(e);
    throw new ClientError(ClientOnlyErrorCode.UNKNOWN, `The browser could not subscribe to notifications (${why}): try again later`);
  }
}

async function unsubscribeBrowser(): Promise<void> {
  const container = (globalThis.navigator as Navigator | undefined)?.serviceWorker;
  const reg = await container?.getRegistration();
  const subscription = await reg?.pushManager?.getSubscription();
  await subscription?.unsubscribe();
}

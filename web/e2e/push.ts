import type { BrowserContext, CDPSession, Page, Worker } from 'playwright-core';
import type { PushSubscriptionFields } from '../../api/test/push-service.js';
import type { Profile } from './browser.js';

/** What the helpers below use of the service worker's global scope (this package's types are the page's). */
type WorkerScope = { registration: ServiceWorkerRegistration; dispatchEvent(event: Event): boolean };
type NotificationEventClass = new (type: string, init: { notification: Notification }) => Event;

/** A notification as the service worker's registration lists it. */
export type ShownNotification = { title: string; body: string; tag: string; data: unknown };

/** Where the test's stand-in for the browser's subscription is kept in the page (see fakePushSubscription). */
export const FAKE_SUBSCRIPTION_KEY = 'mailboat-test:push-subscription';

/**
 * Makes the profile's pages subscribe to `minted` (a subscription of the test's local push
 * service, api/test/push-service.ts) instead of to the browser's push service: headless
 * Chromium here reaches no push service, so pushManager.subscribe cannot succeed. TEST ONLY:
 * PushManager.prototype.subscribe / getSubscription are replaced by an init script that
 * returns an object with the PushSubscription members the app uses (endpoint, options,
 * toJSON, unsubscribe), kept in localStorage so it survives reloads. Everything else is real:
 * the app registers it with the API, the API encrypts and sends to the local push service,
 * which decrypts, and the test hands the plaintext to the real service worker (deliverPush).
 */
export async function fakePushSubscription(profile: Profile, minted: PushSubscriptionFields): Promise<void> {
  await profile.context.addInitScript(
    ({ sub, storageKey }) => {
      type Stored = { key: number[] };
      const make = (stored: Stored) => ({
        endpoint: sub.endpoint,
        expirationTime: null,
        options: { userVisibleOnly: true, applicationServerKey: new Uint8Array(stored.key).buffer },
        getKey: () => null,
        toJSON: () => ({ endpoint: sub.endpoint, expirationTime: null, keys: { p256dh: sub.p256dh, auth: sub.auth } }),
        unsubscribe: async () => {
          localStorage.removeItem(storageKey);
          return true;
        },
      });
      const read = (): Stored | null => {
        const raw = localStorage.getItem(storageKey);
        return raw ? (JSON.parse(raw) as Stored) : null;
      };
      PushManager.prototype.getSubscription = async function getSubscription() {
        const stored = read();
        return (stored ? make(stored) : null) as unknown as PushSubscription;
      };
      PushManager.prototype.subscribe = async function subscribe(options?: PushSubscriptionOptionsInit) {
        if (Notification.permission !== 'granted') throw new DOMException('Permission denied', 'NotAllowedError');
        const key = options?.applicationServerKey;
        const bytes =
          key instanceof ArrayBuffer ? new Uint8Array(key) : ArrayBuffer.isView(key) ? new Uint8Array(key.buffer) : new Uint8Array();
        const stored: Stored = { key: [...bytes] };
        localStorage.setItem(storageKey, JSON.stringify(stored));
        return make(stored) as unknown as PushSubscription;
      };
    },
    { sub: { endpoint: minted.endpoint, p256dh: minted.p256dh, auth: minted.auth }, storageKey: FAKE_SUBSCRIPTION_KEY },
  );
}

/** Whether the page's (fake) browser subscription exists. */
export function browserSubscribed(page: Page): Promise<boolean> {
  return page.evaluate((key) => localStorage.getItem(key) !== null, FAKE_SUBSCRIPTION_KEY);
}

/** Per browser context: a blank tab kept open, and its DevTools session with the service worker domain enabled. */
const devtools = new WeakMap<BrowserContext, Promise<{ page: Page; cdp: CDPSession; registrationId: string }>>();

/**
 * Delivers a push with `data` to the profile's service worker through the DevTools protocol
 * (ServiceWorker.deliverPushMessage), as the browser does with what its push service sends.
 * Works with no tab of the app open: CDP is reached through a blank tab of its own (not a
 * window of the app), kept open: Chromium finds the registration after the call returns, and
 * a session closed at once may drop the push.
 */
export async function deliverPush(profile: Profile, data: string): Promise<void> {
  const origin = new URL(profile.appUrl).origin;
  let session = devtools.get(profile.context);
  if (!session || (await session).page.isClosed()) {
    session = (async () => {
      const page = await profile.context.newPage();
      const cdp = await profile.context.newCDPSession(page);
      const registrationId = new Promise<string>((resolve) => {
        cdp.on('ServiceWorker.workerRegistrationUpdated', ({ registrations }) => {
          const found = registrations.find((r) => r.scopeURL.startsWith(origin) && !r.isDeleted);
          if (found) resolve(found.registrationId);
        });
      });
      await cdp.send('ServiceWorker.enable');
      return { page, cdp, registrationId: await registrationId };
    })();
    devtools.set(profile.context, session);
  }
  const { cdp, registrationId } = await session;
  await cdp.send('ServiceWorker.deliverPushMessage', { origin, registrationId, data });
}

/** The profile's running service worker (started by a push when it was stopped). */
export async function serviceWorker(profile: Profile): Promise<Worker> {
  const origin = new URL(profile.appUrl).origin;
  const running = profile.context.serviceWorkers().find((w) => w.url().startsWith(origin));
  return running ?? (await profile.context.waitForEvent('serviceworker', { predicate: (w) => w.url().startsWith(origin) }));
}

/** The notifications the service worker's registration shows now. */
export async function shownNotifications(profile: Profile): Promise<ShownNotification[]> {
  const worker = await serviceWorker(profile);
  return worker.evaluate(async () => {
    const sw = self as unknown as WorkerScope;
    const list = await sw.registration.getNotifications();
    return list.map((n: Notification) => ({ title: n.title, body: n.body, tag: n.tag, data: n.data as unknown }));
  });
}

/** Closes every notification shown (a clean slate between tests). */
export async function closeNotifications(profile: Profile): Promise<void> {
  const worker = await serviceWorker(profile);
  await worker.evaluate(async () => {
    for (const n of await (self as unknown as WorkerScope).registration.getNotifications()) n.close();
  });
}

/**
 * Clicks the notification tagged `tag`: DevTools cannot click a notification, so the worker
 * is handed the real `notificationclick` event with that notification, as the browser builds
 * it. (An event made by script cannot focus or open windows: this covers an app already open.)
 */
export async function clickNotification(profile: Profile, tag: string): Promise<void> {
  const worker = await serviceWorker(profile);
  await worker.evaluate(async (t) => {
    const sw = self as unknown as WorkerScope;
    const notification = (await sw.registration.getNotifications({ tag: t }))[0];
    if (!notification) throw new Error(`No notification tagged ${t}`);
    const NotificationEvent = (self as unknown as { NotificationEvent: NotificationEventClass }).NotificationEvent;
    sw.dispatchEvent(new NotificationEvent('notificationclick', { notification }));
  }, tag);
}

/**
 * Whether the account's IndexedDB on the device holds `text` in a segment document of the
 * conversation (y-indexeddb keeps each update's bytes, and Yjs keeps a string's UTF-8 in them):
 * read in the service worker, so no tab of the app needs to be open.
 */
export async function deviceHoldsText(profile: Profile, userId: string, conversationId: string, text: string): Promise<boolean> {
  const worker = await serviceWorker(profile);
  return worker.evaluate(
    async ({ prefix, text }) => {
      const needle = new TextEncoder().encode(text);
      const contains = (hay: Uint8Array) => {
        outer: for (let i = 0; i + needle.length <= hay.length; i++) {
          for (let j = 0; j < needle.length; j++) if (hay[i + j] !== needle[j]) continue outer;
          return true;
        }
        return false;
      };
      const request = <T>(r: IDBRequest<T>) =>
        new Promise<T>((resolve, reject) => {
          r.onsuccess = () => resolve(r.result);
          r.onerror = () => reject(r.error);
        });
      for (const { name } of await indexedDB.databases()) {
        if (!name?.startsWith(prefix)) continue;
        const db = await request(indexedDB.open(name));
        try {
          if (!db.objectStoreNames.contains('updates')) continue;
          const updates = await request(db.transaction('updates').objectStore('updates').getAll());
          if (updates.some((u) => u instanceof Uint8Array && contains(u))) return true;
        } finally {
          db.close();
        }
      }
      return false;
    },
    { prefix: `mailboat:${userId}:${conversationId}:`, text },
  );
}

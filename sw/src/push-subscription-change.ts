/// <reference lib="webworker" />
import { registerRotatedSubscription } from '@mailboat/web/sync/background-push-subscription';
import { keepAlive } from './keep-alive.js';

declare const self: ServiceWorkerGlobalScope;

/** The `pushsubscriptionchange` event (not in TypeScript's lib); browsers fill in either subscription, both or neither. */
type SubscriptionChangeEvent = ExtendableEvent & { oldSubscription?: PushSubscription | null; newSubscription?: PushSubscription | null };

/**
 * When the browser rotates or drops the push subscription, subscribes again with the same
 * applicationServerKey (when the browser has not already) and registers the new one with the
 * API as the device's (web/src/sync/background-push-subscription.ts), if notifications are on
 * on this device. Whatever cannot be done here (the old key unknown, no network, a BODY
 * refresh token) the app does at its next launch: it re-registers whenever the browser's
 * subscription is not the one it remembers.
 */
export function renewPushSubscriptions(): void {
  self.addEventListener('pushsubscriptionchange', (event) =>
    keepAlive(event, renew(event as SubscriptionChangeEvent), 'renewing the push subscription'),
  );
}

async function renew(event: SubscriptionChangeEvent): Promise<void> {
  let subscription = event.newSubscription ?? (await self.registration.pushManager.getSubscription());
  if (!subscription) {
    const applicationServerKey = event.oldSubscription?.options.applicationServerKey;
    if (!applicationServerKey) return;
    subscription = await self.registration.pushManager.subscribe({ userVisibleOnly: true, applicationServerKey });
  }
  await registerRotatedSubscription({
    baseUrl: self.location.origin,
    fetch: (input, init) => fetch(input, init),
    indexedDB: self.indexedDB,
    subscription,
  });
}

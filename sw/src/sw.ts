/// <reference lib="webworker" />
import { clientsClaim } from 'workbox-core';
import { cleanupOutdatedCaches, createHandlerBoundToURL, precacheAndRoute } from 'workbox-precaching';
import { NavigationRoute, registerRoute } from 'workbox-routing';
import { openNotificationsOnClick } from './notification-click.js';
import { replayOutboxInBackground } from './outbox-replay.js';
import { showPushNotifications } from './push.js';
import { renewPushSubscriptions } from './push-subscription-change.js';

declare const self: ServiceWorkerGlobalScope & { __WB_MANIFEST: Array<{ url: string; revision: string | null }> };

/** API paths the worker never answers from the cache. */
const API = [/^\/graphql/, /^\/auth\//, /^\/sync\//, /^\/health$/, /^\/ready$/];

// The app shell: every built file, precached at install under its revision, so the app opens
// with no network. A new version installs beside the old one and waits (see the message below).
precacheAndRoute(self.__WB_MANIFEST);
cleanupOutdatedCaches();

// On first install the worker takes the open page at once, so it works offline from the start.
// Later versions wait for the person's "reload" instead (see below).
clientsClaim();

// Any page a person navigates to (or reloads) is the single-page app's index.html.
registerRoute(new NavigationRoute(createHandlerBoundToURL('/index.html'), { denylist: API }));

// The page asks a waiting worker to take over once the person chose "reload".
self.addEventListener('message', (event) => {
  if ((event.data as { type?: string } | null)?.type === 'SKIP_WAITING') void self.skipWaiting();
});

// Writes the app could not push are replayed from its outbox when the network returns.
replayOutboxInBackground();

// Web Push: notifications with the app closed, opening them, and keeping the subscription registered.
showPushNotifications();
openNotificationsOnClick();
renewPushSubscriptions();

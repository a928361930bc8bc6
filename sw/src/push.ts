/// <reference lib="webworker" />
import { catchUpInBackground } from '@mailboat/web/sync/background-catch-up';
import { keepAlive } from './keep-alive.js';
import { type PushNotice, readPushNotice } from './push-payload.js';
import { appWindows, tellPushArrived, windowShowing } from './window-clients.js';

declare const self: ServiceWorkerGlobalScope;

/** The app's icon, shown beside a notification. */
const ICON = '/icons/icon-192.png';

/** NotificationOptions as browsers take them (TypeScript's lib lacks `renotify` and `timestamp`). */
type Options = NotificationOptions & { renotify?: boolean; timestamp?: number };

/** The Badging API in a worker, where the browser has it. */
type BadgeNavigator = WorkerNavigator & { setAppBadge?: (n?: number) => Promise<void>; clearAppBadge?: () => Promise<void> };

/**
 * A push from the API (the payload of push-payload.ts): sets the app badge to the unread
 * conversations, then shows the notification — one per conversation (`tag`, so a newer one
 * replaces the older and alerts again) — unless a tab shows that very conversation to the
 * person, which is told instead. With no tab open, it then brings the conversation onto the
 * device (web/src/sync/background-catch-up.ts), so the message is there when the app opens;
 * an open tab syncs by itself. A push with no usable payload still shows "New message", as
 * browsers require. Nothing here delays the notification beyond the push event's lifetime.
 */
export function showPushNotifications(): void {
  self.addEventListener('push', (event) => keepAlive(event, onPush(readPushNotice(event.data)), 'a push'));
}

async function onPush(notice: PushNotice): Promise<void> {
  const windows = await appWindows();
  const badge = setBadge(notice.unreadConversations);
  const { conversationId } = notice;
  const showing = conversationId ? await windowShowing(windows, conversationId) : null;
  if (conversationId && showing) tellPushArrived(showing, conversationId);
  else await show(notice);
  await badge;
  if (conversationId && windows.length === 0) {
    await catchUpInBackground({
      baseUrl: self.location.origin,
      fetch: (i, init) => fetch(i, init),
      indexedDB: self.indexedDB,
      conversationId,
    });
  }
}

function show(notice: PushNotice): Promise<void> {
  const options: Options = {
    body: notice.body,
    tag: notice.conversationId ?? 'mailboat',
    renotify: true,
    icon: ICON,
    data: { conversationId: notice.conversationId },
    ...(notice.sentAt !== null ? { timestamp: notice.sentAt } : {}),
  };
  return self.registration.showNotification(notice.title, options);
}

/** Sets the app icon's badge where the browser has the Badging API; never rejects. */
async function setBadge(unread: number | null): Promise<void> {
  const nav = self.navigator as BadgeNavigator;
  if (unread === null || !nav.setAppBadge) return;
  try {
    if (unread === 0) await nav.clearAppBadge?.();
    else await nav.setAppBadge(unread);
  } catch {
    // Not allowed here (not installed, say): the tab title still counts.
  }
}

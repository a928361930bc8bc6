/// <reference lib="webworker" />
import { conversationUrl } from '@mailboat/web/sync/notification-messages';
import { keepAlive } from './keep-alive.js';
import { openInWindow } from './window-clients.js';

declare const self: ServiceWorkerGlobalScope;

/** What the push handler (push.ts) puts in a notification's `data`. */
type NoticeData = { conversationId?: unknown } | null;

/**
 * A click on a notification closes it and opens its conversation: in an open window of the
 * app (focused, and routed there by a message, see app/notification-routing.ts), or in a new
 * window at `/#/c/<conversationId>`. A notification with no conversation opens the list.
 */
export function openNotificationsOnClick(): void {
  self.addEventListener('notificationclick', (event) => {
    event.notification.close();
    const data = event.notification.data as NoticeData;
    const conversationId = typeof data?.conversationId === 'string' ? data.conversationId : null;
    keepAlive(event, openInWindow(conversationId, conversationUrl(conversationId)), 'opening a notification');
  });
}

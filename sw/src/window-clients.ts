/// <reference lib="webworker" />
import {
  OPEN_CONVERSATION,
  PUSH_ARRIVED,
  WHICH_CONVERSATION,
  type WhichConversationAnswer,
  type WorkerMessage,
} from '@mailboat/web/sync/notification-messages';

declare const self: ServiceWorkerGlobalScope;

/** How long a tab has to say which conversation it shows before it counts as showing none. */
const ANSWER_WAIT_MS = 2000;

/** Every open window of the app (in this worker's scope), whether or not it controls it yet. */
export function appWindows(): Promise<readonly WindowClient[]> {
  return self.clients.matchAll({ type: 'window', includeUncontrolled: true });
}

/** Asks one tab which conversation it shows (see notification-messages.ts); null when it does not answer in time. */
function ask(client: WindowClient): Promise<WhichConversationAnswer | null> {
  return new Promise((resolve) => {
    const channel = new MessageChannel();
    const timer = setTimeout(() => resolve(null), ANSWER_WAIT_MS);
    channel.port1.onmessage = (event) => {
      clearTimeout(timer);
      const a = event.data as Partial<WhichConversationAnswer> | null;
      resolve(a && typeof a === 'object' ? { conversationId: a.conversationId ?? null, visible: a.visible === true } : null);
    };
    client.postMessage({ type: WHICH_CONVERSATION } satisfies WorkerMessage, [channel.port2]);
  });
}

/** The tab that shows `conversationId` to the person right now (open and visible), if any. */
export async function windowShowing(windows: readonly WindowClient[], conversationId: string): Promise<WindowClient | null> {
  const visible = windows.filter((w) => w.visibilityState === 'visible');
  const answers = await Promise.all(visible.map((w) => ask(w)));
  const index = answers.findIndex((a) => a?.conversationId === conversationId && a.visible);
  return index < 0 ? null : (visible[index] ?? null);
}

/** Tells the tab showing the conversation that a push for it arrived (no notification was shown). */
export function tellPushArrived(client: WindowClient, conversationId: string): void {
  client.postMessage({ type: PUSH_ARRIVED, conversationId } satisfies WorkerMessage);
}

/**
 * Opens the conversation (null: the conversation list) in a window of the app: the focused
 * one, else a visible one, else any, which it asks to route there and focuses; with none
 * open, a new window at the conversation's URL. Focusing and opening windows are allowed
 * only while handling a notification click.
 */
export async function openInWindow(conversationId: string | null, url: string): Promise<void> {
  const windows = await appWindows();
  const target = windows.find((w) => w.focused) ?? windows.find((w) => w.visibilityState === 'visible') ?? windows[0];
  if (target) {
    target.postMessage({ type: OPEN_CONVERSATION, conversationId } satisfies WorkerMessage);
    await target.focus().catch(() => undefined);
    return;
  }
  await self.clients.openWindow(url);
}

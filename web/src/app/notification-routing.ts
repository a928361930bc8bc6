import {
  OPEN_CONVERSATION,
  PUSH_ARRIVED,
  WHICH_CONVERSATION,
  type WhichConversationAnswer,
  type WorkerMessage,
} from '../sync/notification-messages.js';
import { navigate, parseRoute, paths } from '../ui/router.js';
import type { MailboatClient } from './model.js';

/**
 * The tab's side of notifications (see sync/notification-messages.ts): tells the service
 * worker which conversation it shows and whether the person sees it (so no notification is
 * shown for it), opens the conversation of a clicked notification, and syncs when a push
 * arrived for the conversation on screen (live events normally bring it first). Returns the
 * unsubscribe; does nothing where there is no service worker.
 */
export function answerNotificationMessages(client: MailboatClient): () => void {
  const container = (globalThis.navigator as Navigator | undefined)?.serviceWorker;
  if (!container) return () => {};
  const onMessage = (event: MessageEvent) => {
    const message = event.data as WorkerMessage | null;
    switch (message?.type) {
      case WHICH_CONVERSATION: {
        const route = parseRoute(location.hash);
        const answer: WhichConversationAnswer = {
          conversationId: route.name === 'conversation' ? route.id : null,
          visible: document.visibilityState === 'visible',
        };
        event.ports[0]?.postMessage(answer);
        return;
      }
      case OPEN_CONVERSATION:
        navigate(typeof message.conversationId === 'string' ? paths.conversation(message.conversationId) : paths.home);
        return;
      case PUSH_ARRIVED:
        void client.syncNow();
        return;
    }
  };
  container.addEventListener('message', onMessage);
  return () => container.removeEventListener('message', onMessage);
}

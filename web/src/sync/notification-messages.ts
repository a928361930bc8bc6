/**
 * How the service worker and open tabs of the app talk about notifications (see
 * sw/src/push.ts, sw/src/notification-click.ts and app/notification-routing.ts).
 *
 * - WHICH_CONVERSATION: the worker asks a tab, with a MessagePort to answer on, which
 *   conversation it shows and whether it is visible (WhichConversationAnswer), to show no
 *   notification for the conversation the person has open and visible, focused or not (the
 *   message is on screen). (WindowClient.url does not follow the app's hash routes in every
 *   browser.)
 * - PUSH_ARRIVED: a push for the conversation the tab shows arrived instead of a notification.
 * - OPEN_CONVERSATION: a notification was clicked: the tab opens the conversation (null: the list).
 */
export const WHICH_CONVERSATION = 'mailboat:which-conversation';
export const PUSH_ARRIVED = 'mailboat:push-arrived';
export const OPEN_CONVERSATION = 'mailboat:open-conversation';

export type WhichConversationAnswer = { conversationId: string | null; visible: boolean };

export type WorkerMessage =
  | { type: typeof WHICH_CONVERSATION }
  | { type: typeof PUSH_ARRIVED; conversationId: string }
  | { type: typeof OPEN_CONVERSATION; conversationId: string | null };

/** The path of the app's screen for a conversation (the hash route of web/src/ui/router.ts), or of the list. */
export const conversationUrl = (conversationId: string | null) => (conversationId ? `/#/c/${encodeURIComponent(conversationId)}` : '/');

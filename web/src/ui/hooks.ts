import { useCallback, useSyncExternalStore } from 'react';
import type {
  AccountSettings,
  ConversationSummary,
  ConversationView,
  NotificationsState,
  Presence,
  Session,
  SyncState,
  User,
} from '../app/model.js';
import { useClient } from './client-context.js';

/** Snapshot hooks over the client: each re-renders only when its snapshot object changes. */
function useSnapshot<T>(getSnapshot: () => T): T {
  const client = useClient();
  const subscribe = useCallback((listener: () => void) => client.subscribe(listener), [client]);
  return useSyncExternalStore(subscribe, getSnapshot);
}

export function useSession(): Session | null {
  const client = useClient();
  return useSnapshot(useCallback(() => client.session(), [client]));
}

export function useSyncState(): SyncState {
  const client = useClient();
  return useSnapshot(useCallback(() => client.syncState(), [client]));
}

export function useConversations(): ConversationSummary[] {
  const client = useClient();
  return useSnapshot(useCallback(() => client.conversations(), [client]));
}

/** The conversation's summary, or undefined while it is not (or no longer) on the device. */
export function useConversationSummary(conversationId: string): ConversationSummary | undefined {
  const client = useClient();
  return useSnapshot(useCallback(() => client.conversations().find((c) => c.id === conversationId), [client, conversationId]));
}

export function useConversationView(conversationId: string): ConversationView {
  const client = useClient();
  return useSnapshot(useCallback(() => client.conversation(conversationId), [client, conversationId]));
}

/** The others typing in the conversation now (see MailboatClient.typing). */
export function useTyping(conversationId: string): User[] {
  const client = useClient();
  return useSnapshot(useCallback(() => client.typing(conversationId), [client, conversationId]));
}

/** What the device last heard of the person's presence, or null (hidden, unknown, or no person). */
export function usePresence(userId: string | null): Presence | null {
  const client = useClient();
  return useSnapshot(useCallback(() => (userId ? client.presence(userId) : null), [client, userId]));
}

/** Notifications on this device: supported, the browser's permission, on or off (see MailboatClient.notifications). */
export function useNotifications(): NotificationsState {
  const client = useClient();
  return useSnapshot(useCallback(() => client.notifications(), [client]));
}

/** The account's settings, or null until they were read once. */
export function useAccountSettings(): AccountSettings | null {
  const client = useClient();
  return useSnapshot(useCallback(() => client.settings(), [client]));
}

import { useCallback, useSyncExternalStore } from 'react';
import type { ConversationSummary, ConversationView, Session, SyncState } from '../app/model.js';
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

import DataLoader from 'dataloader';
import type { AppDeps } from '../context.js';
import type { ConversationMuteRow } from '../db/tables.js';
import { activeMutes, devicesWithNotifications } from '../notifications/notifications-service.js';
import type { Viewer } from '../viewer.js';

/**
 * Per-request batching for the notification fields of lists (Conversation.muted on a page of
 * conversations, Device.notificationsEnabled on the device list): one query per tick.
 */
export type NotificationLoaders = {
  /** The viewer's active mute of a conversation, by conversation id (a request has one viewer). */
  mute: (viewer: Viewer, conversationId: string) => Promise<ConversationMuteRow | undefined>;
  /** Whether a device has a push subscription, by device id (callers show only the viewer's own devices). */
  notificationsEnabled: DataLoader<string, boolean>;
};

export function createNotificationLoaders(deps: AppDeps): NotificationLoaders {
  const mutes = new Map<string, DataLoader<string, ConversationMuteRow | undefined>>();
  return {
    mute: (viewer, conversationId) => {
      let loader = mutes.get(viewer.userId);
      if (!loader) {
        loader = new DataLoader(
          async (ids: readonly string[]) => {
            const found = await activeMutes(deps, viewer, ids);
            return ids.map((id) => found.get(id));
          },
          { cache: false },
        );
        mutes.set(viewer.userId, loader);
      }
      return loader.load(conversationId);
    },
    notificationsEnabled: new DataLoader(
      async (ids: readonly string[]) => {
        const enabled = await devicesWithNotifications(deps, ids);
        return ids.map((id) => enabled.has(id));
      },
      { cache: false },
    ),
  };
}

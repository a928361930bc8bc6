import * as Y from 'yjs';
import type { Presence, User } from '../app/model.js';
import type { Account } from './account.js';
import { decodeBytes } from './bytes.js';
import type { SyncContext } from './context.js';
import { type ApiReceipt, absorbConversation, watermarkOf } from './conversation-records.js';
import { pullDiffs } from './diffs.js';
import type { LiveEvent } from './live-events.js';
import { REMOTE } from './origins.js';
import { presenceFromApi } from './presence-state.js';

/** What applying a live event may need besides the sync context. */
export type LiveUpdateHooks = {
  /** Starts loading a conversation's newest history (one the device should hold but does not). */
  startLoading: (conversationId: string) => void;
  /** The device was revoked: sign it out. */
  revoked: () => Promise<void>;
  /** Someone else (never the viewer) started or stopped typing; `expiresAt` is server time (epoch ms). */
  typing: (conversationId: string, user: User, typing: boolean, expiresAt: number) => void;
  /** Someone's presence changed (null: hidden from the viewer). */
  presence: (userId: string, presence: Presence | null) => void;
};

/**
 * Applies one `events` payload to the device: a segment update to a held document (pulling
 * the diff when it arrives out of order, and counting the conversation as received), a
 * receipt, a conversation added, changed or removed, this device's revocation, or the
 * ephemeral typing and presence news (handed to their hooks, never stored). Events
 * about what the device does not hold are ignored: catch-up brings them when it matters.
 */
export async function applyLiveEvent(ctx: SyncContext, hooks: LiveUpdateHooks, event: LiveEvent): Promise<void> {
  const account = ctx.account;
  switch (event.__typename) {
    case 'SegmentUpdatedEvent': {
      const { conversationId, segment } = event;
      let held = account.segments.get(conversationId, segment);
      if (!held && account.conversations.get(conversationId)?.loaded) held = account.hold(conversationId, segment);
      if (!held) return;
      Y.applyUpdate(held.doc, decodeBytes(event.update), REMOTE);
      if (held.doc.store.pendingStructs || held.doc.store.pendingDs) await pullDiffs(ctx, [{ conversationId, segment }]);
      ctx.received(conversationId);
      return;
    }
    case 'ReceiptEvent': {
      const { user } = event;
      if (user) await applyReceipt(account, event.conversationId, { ...event, user });
      return;
    }
    case 'ConversationAddedEvent':
    case 'ConversationUpdatedEvent': {
      if (!event.conversation) return;
      const record = await absorbConversation(account, event.conversation);
      if (!record.loaded) hooks.startLoading(record.id);
      return;
    }
    case 'ConversationRemovedEvent':
      await account.dropConversation(event.conversationId);
      return;
    case 'DeviceRevokedEvent':
      if (event.deviceId === account.session.deviceId) await hooks.revoked();
      return;
    case 'TypingEvent':
      // The viewer's own typing (on another of their devices) is not shown.
      if (event.user && event.user.id !== account.viewerId)
        hooks.typing(event.conversationId, event.user, event.typing, Date.parse(event.expiresAt));
      return;
    case 'PresenceEvent':
      if (event.person && event.person.id !== account.viewerId) hooks.presence(event.person.id, presenceFromApi(event.presence));
      return;
  }
}

async function applyReceipt(account: Account, conversationId: string, receipt: ApiReceipt): Promise<void> {
  const mark = watermarkOf(receipt);
  const members = account.receipts.get(conversationId) ?? [];
  const next = members.some((w) => w.userId === mark.userId)
    ? members.map((w) => (w.userId === mark.userId ? mark : w))
    : [...members, mark];
  await account.putUsers([receipt.user]);
  await account.putReceipts(conversationId, next);
}

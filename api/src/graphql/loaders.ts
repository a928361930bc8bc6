import { brandWithType } from '@pothos/core';
import DataLoader from 'dataloader';
import { usersByIds } from '../accounts/accounts-service.js';
import { attachmentsOfMessages } from '../attachments/attachment-reads.js';
import type { AppDeps } from '../context.js';
import { type ConversationWithRole, conversationsOfMember } from '../conversations/conversations-service.js';
import type { AttachmentRow, ConversationMuteRow, DeviceRow, MessageRow, UserRow } from '../db/tables.js';
import { devicesByIds } from '../devices/devices-service.js';
import type { GlobalId } from '../global-ids.js';
import { messagesByIds } from '../messages/messages-service.js';
import { activeMutes, devicesWithNotifications } from '../notifications/notifications-service.js';
import { type Presence, presenceOf } from '../presence/presence-service.js';
import { conversationWatermarks, type MemberWatermarks } from '../receipts/receipts-service.js';
import type { Viewer } from '../viewer.js';

/**
 * Per-request batching of lookups that list fields repeat (a page of messages asks for the
 * same authors over and over): one query per kind per tick instead of one per field. No
 * caching beyond the tick, so a long-lived subscription never serves stale rows.
 *
 * They live here, beside the resolvers, because batching by tick is how GraphQL execution
 * asks (field by field); they read through the services' batch reads, and what a viewer may
 * see is decided where it was before: in loadNodes below and in the resolvers.
 */
export type Loaders = {
  user: DataLoader<string, UserRow | undefined>;
  /** Devices by id, whoever owns them: show a viewer only their own. */
  device: DataLoader<string, DeviceRow | undefined>;
  /** Messages by id, whoever may see them: check `membership` of their conversation. */
  message: DataLoader<string, MessageRow | undefined>;
  /** A conversation with the user's role in it, if they are a member; keyed by asUser(user, conversation). */
  membership: DataLoader<string, ConversationWithRole | undefined>;
  /** Every member's receipt watermarks in a conversation, the conversation's visibility already checked. */
  watermarks: (conversationId: string) => Promise<MemberWatermarks[]>;
  /** A user's presence as a viewer may see it (null or undefined when hidden); keyed by asUser(viewer, user). */
  presence: DataLoader<string, Presence | null | undefined>;
  /** The user's active mute of a conversation; keyed by asUser(user, conversation). */
  mute: DataLoader<string, ConversationMuteRow | undefined>;
  /** Whether a device has a push subscription, by device id (callers show only the viewer's own devices). */
  notificationsEnabled: DataLoader<string, boolean>;
  /** A message's attachments in order, by message id (callers have checked the message is visible). */
  attachments: DataLoader<string, AttachmentRow[]>;
};

/** The key of a lookup made as one user (the viewer, in practice): `${userId}:${id}`. */
export const asUser = (userId: string, id: string) => `${userId}:${id}`;

export function createLoaders(deps: AppDeps): Loaders {
  return {
    user: byId((ids) => usersByIds(deps, ids)),
    device: byId((ids) => devicesByIds(deps, ids)),
    message: byId((ids) => messagesByIds(deps, ids)),
    membership: perUser(async (userId, ids) => new Map((await conversationsOfMember(deps, userId, ids)).map((row) => [row.id, row]))),
    // Sibling resolvers (a list of messages) ask for the same conversation's watermarks in one
    // tick: they share that one query, forgotten right after so no later read sees stale marks.
    watermarks: perTick((conversationId) => conversationWatermarks(deps, conversationId)),
    presence: perUser(async (viewerId, ids) => {
      const presences = await presenceOf(deps, viewerId, ids);
      return new Map(ids.map((id, i) => [id, presences[i] ?? null]));
    }),
    mute: perUser((userId, ids) => activeMutes(deps, userId, ids)),
    notificationsEnabled: new DataLoader(
      async (ids: readonly string[]) => {
        const enabled = await devicesWithNotifications(deps, ids);
        return ids.map((id) => enabled.has(id));
      },
      { cache: false },
    ),
    attachments: new DataLoader((ids: readonly string[]) => attachmentsOfMessages(deps, ids), { cache: false }),
  };
}

function byId<Row extends { id: string }>(find: (ids: readonly string[]) => Promise<Row[]>): DataLoader<string, Row | undefined> {
  return new DataLoader(
    async (ids: readonly string[]) => {
      const byKey = new Map((await find(ids)).map((r) => [r.id, r]));
      return ids.map((id) => byKey.get(id));
    },
    { cache: false },
  );
}

/** Shares one call per key among the callers of one turn of the event loop (until setImmediate), then forgets. */
function perTick<V>(load: (key: string) => Promise<V>): (key: string) => Promise<V> {
  let memo: Map<string, Promise<V>> | undefined;
  return (key) => {
    if (!memo) {
      memo = new Map();
      setImmediate(() => {
        memo = undefined;
      });
    }
    let pending = memo.get(key);
    if (!pending) {
      pending = load(key);
      memo.set(key, pending);
    }
    return pending;
  };
}

/**
 * A loader of what one user sees, keyed asUser(user, id): `find` runs once per user among the
 * keys of a tick (a request has one viewer, so once) and answers by id; ids it leaves out load
 * as undefined.
 */
function perUser<V>(find: (userId: string, ids: string[]) => Promise<ReadonlyMap<string, V>>): DataLoader<string, V | undefined> {
  return new DataLoader(
    async (keys: readonly string[]) => {
      const idsOf = new Map<string, string[]>();
      for (const key of keys) {
        const [userId = '', id = ''] = key.split(':');
        const ids = idsOf.get(userId);
        if (ids) ids.push(id);
        else idsOf.set(userId, [id]);
      }
      const found = new Map<string, V>();
      for (const [userId, ids] of idsOf) for (const [id, value] of await find(userId, ids)) found.set(asUser(userId, id), value);
      return keys.map((key) => found.get(key));
    },
    { cache: false },
  );
}

/**
 * The objects behind global IDs, in order, each null unless the viewer may see it (the same
 * rules as each type's own lookup: any user to a signed-in viewer; only your own devices;
 * conversations you are a member of and their messages). Looks up with one query per type
 * (two for messages: the rows, then your memberships of their conversations), whatever the
 * number of IDs; the caller caps that number.
 */
export async function loadNodes(loaders: Loaders, viewer: Viewer | null, ids: readonly GlobalId[]): Promise<(object | null)[]> {
  if (!viewer) return ids.map(() => null);
  const member = (conversationId: string) => loaders.membership.load(asUser(viewer.userId, conversationId));
  const load = async ({ typename, id }: GlobalId): Promise<object | undefined> => {
    if (typename === 'User') return loaders.user.load(id);
    if (typename === 'Conversation') return member(id);
    if (typename === 'Device') {
      const device = await loaders.device.load(id);
      return device?.user_id === viewer.userId ? device : undefined;
    }
    if (typename === 'Message') {
      const message = await loaders.message.load(id);
      return message && (await member(message.conversation_id)) ? message : undefined;
    }
    return undefined;
  };
  return Promise.all(
    ids.map(async (globalId) => {
      const found = await load(globalId);
      if (!found) return null;
      brandWithType(found, globalId.typename as Parameters<typeof brandWithType>[1]); // how the Node interface tells the type
      return found;
    }),
  );
}

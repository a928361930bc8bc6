import { userByHandle } from '../accounts/accounts-service.js';
import { requireViewer } from '../auth/authenticate.js';
import { type ConversationWithRole, getConversation, listConversations } from '../conversations/conversations-service.js';
import type { DeviceRow } from '../db/tables.js';
import { getOwnDevice, listDevices } from '../devices/devices-service.js';
import { idOf } from '../global-ids.js';
import type { Viewer } from '../viewer.js';
import { builder } from './builder.js';
import { ConversationRef } from './conversation.js';
import { encodeCursor, keysetConnection } from './cursors.js';
import { DeviceRef } from './device.js';
import { UserRef } from './user.js';

export const ViewerRef = builder.objectRef<Viewer>('Viewer');

ViewerRef.implement({
  description: 'The signed-in user, as seen from the device making the request.',
  fields: (t) => ({
    user: t.field({
      type: UserRef,
      resolve: async (v, _, ctx) => (await ctx.loaders.user.load(v.userId)) ?? gone('user'),
    }),
    device: t.field({
      type: DeviceRef,
      description: 'The device making this request.',
      resolve: async (v, _, ctx) => (await getOwnDevice(ctx, v, v.deviceId)) ?? gone('device'),
    }),
    devices: t.connection(
      {
        type: DeviceRef,
        description: 'Signed-in (not revoked) devices, oldest first.',
        resolve: (v, args, ctx) =>
          keysetConnection(
            args,
            (d: DeviceRow) => encodeCursor(d.created_at, d.id),
            (page) => listDevices(ctx, v, page),
          ),
      },
      { name: 'DeviceConnection' },
      { name: 'DeviceEdge' },
    ),
    conversations: t.connection(
      {
        type: ConversationRef,
        description: 'Conversations the user is a member of, most recently changed first.',
        resolve: (v, args, ctx) =>
          keysetConnection(
            args,
            (c: ConversationWithRole) => encodeCursor(c.updated_at, c.id),
            (page) => listConversations(ctx, v, page),
          ),
      },
      { name: 'ConversationConnection' },
      { name: 'ConversationEdge' },
    ),
  }),
});

builder.queryFields((t) => ({
  viewer: t.field({
    type: ViewerRef,
    nullable: true,
    description: 'The signed-in user and device; null without an access token.',
    resolve: (_, __, ctx) => ctx.viewer,
  }),
  userByHandle: t.field({
    type: UserRef,
    nullable: true,
    description: 'Finds a person by handle (case-insensitive), to start a conversation with them.',
    args: { handle: t.arg.string({ required: true }) },
    resolve: async (_, { handle }, ctx) => {
      requireViewer(ctx);
      return (await userByHandle(ctx, handle)) ?? null;
    },
  }),
  conversation: t.field({
    type: ConversationRef,
    nullable: true,
    description: 'A conversation the viewer is a member of; null otherwise (existence is not revealed).',
    args: { id: t.arg.globalID({ required: true }) },
    resolve: async (_, { id }, ctx) => (await getConversation(ctx, requireViewer(ctx), idOf(id, 'Conversation', 'id'))) ?? null,
  }),
}));

function gone(what: string): never {
  throw new Error(`viewer's ${what} row is missing`);
}

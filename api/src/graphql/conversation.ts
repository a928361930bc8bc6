import { usersByIds } from '../accounts/accounts-service.js';
import { type ConversationWithRole, countMembers, getConversation, listMembers } from '../conversations/conversations-service.js';
import type { MemberRow } from '../db/tables.js';
import { builder } from './builder.js';
import { encodeCursor, keysetConnection } from './cursors.js';
import { UserRef } from './user.js';

export const ConversationRef = builder.objectRef<ConversationWithRole>('Conversation');

export const ConversationKind = builder.enumType('ConversationKind', {
  values: { DIRECT: { value: 'direct' }, GROUP: { value: 'group' } } as const,
});

export const MemberRole = builder.enumType('MemberRole', {
  description: 'Owners do everything; admins rename, add members and remove plain members; members write and leave.',
  values: { OWNER: { value: 'owner' }, ADMIN: { value: 'admin' }, MEMBER: { value: 'member' } } as const,
});

builder.node(ConversationRef, {
  description: 'A direct (two people) or group conversation. Only its members can see it or anything in it.',
  id: { resolve: (c) => c.id },
  loadOne: async (id, ctx) => (ctx.viewer ? ((await getConversation(ctx, ctx.viewer, id)) ?? null) : null),
  fields: (t) => ({
    kind: t.field({ type: ConversationKind, resolve: (c) => c.kind }),
    title: t.exposeString('title', { nullable: true, description: 'Null for direct conversations: show the other member instead.' }),
    createdAt: t.expose('created_at', { type: 'DateTime' }),
    updatedAt: t.expose('updated_at', { type: 'DateTime', description: 'Last change to the conversation or its members.' }),
    viewerRole: t.field({ type: MemberRole, resolve: (c) => c.role }),
    memberCount: t.int({ resolve: (c, _, ctx) => countMembers(ctx, c) }),
    members: t.connection(
      {
        type: UserRef,
        description: 'Members in the order they joined.',
        resolve: async (c, args, ctx) => {
          const connection = await keysetConnection(
            args,
            (m: MemberRow) => encodeCursor(m.joined_at, m.user_id),
            (page) => listMembers(ctx, c, page),
          );
          const users = await usersByIds(
            ctx,
            connection.edges.map((e) => e.node.user_id),
          );
          return {
            pageInfo: connection.pageInfo,
            edges: connection.edges.map((e) => ({
              cursor: e.cursor,
              role: e.node.role,
              joinedAt: e.node.joined_at,
              node: users.find((u) => u.id === e.node.user_id) ?? missing(e.node.user_id),
            })),
          };
        },
      },
      { name: 'ConversationMemberConnection' },
      {
        name: 'ConversationMemberEdge',
        fields: (e) => ({
          role: e.field({ type: MemberRole, resolve: (edge) => (edge as unknown as { role: 'owner' }).role }),
          joinedAt: e.field({ type: 'DateTime', resolve: (edge) => (edge as unknown as { joinedAt: Date }).joinedAt }),
        }),
      },
    ),
  }),
});

function missing(userId: string): never {
  throw new Error(`member ${userId} has no user row`);
}

import { limits } from '@mailboat/schema';
import { requireViewer } from '../auth/authenticate.js';
import * as conversations from '../conversations/conversations-service.js';
import { encodeGlobalId, type GlobalId, idOf } from '../global-ids.js';
import { builder } from './builder.js';
import { ConversationRef, MemberRole } from './conversation.js';

const userIds = (values: readonly GlobalId[], field: string) => values.map((v) => idOf(v, 'User', field));

const CreateGroupInput = builder.inputType('CreateGroupConversationInput', {
  fields: (t) => ({
    title: t.string({ required: true, description: `${limits.conversationTitle.min}-${limits.conversationTitle.max} characters.` }),
    memberIds: t.globalIDList({ required: true, description: 'Other members; you join as owner.' }),
  }),
});

const LeavePayload = builder.objectRef<{ conversationId: string }>('LeaveConversationPayload').implement({
  fields: (t) => ({
    conversationId: t.id({ resolve: (p) => encodeGlobalId('Conversation', p.conversationId) }),
  }),
});

builder.mutationFields((t) => {
  const conversationArg = () => t.arg.globalID({ required: true });
  const userArg = () => t.arg.globalID({ required: true });
  const conversationId = (a: { conversationId: GlobalId }) => idOf(a.conversationId, 'Conversation', 'conversationId');
  const userId = (a: { userId: GlobalId }) => idOf(a.userId, 'User', 'userId');
  return {
    openDirectConversation: t.field({
      type: ConversationRef,
      description: 'The direct conversation with this person, created on first use. Errors: BAD_USER_INPUT.',
      args: { userId: userArg() },
      resolve: (_, a, ctx) => conversations.openDirectConversation(ctx, requireViewer(ctx), userId(a)),
    }),
    createGroupConversation: t.field({
      type: ConversationRef,
      args: { input: t.arg({ type: CreateGroupInput, required: true }) },
      resolve: (_, { input }, ctx) =>
        conversations.createGroupConversation(ctx, requireViewer(ctx), {
          title: input.title,
          memberIds: userIds(input.memberIds, 'memberIds'),
        }),
    }),
    renameConversation: t.field({
      type: ConversationRef,
      description: 'Groups only; owners and admins. Errors: NOT_FOUND, FORBIDDEN, BAD_USER_INPUT.',
      args: { conversationId: conversationArg(), title: t.arg.string({ required: true }) },
      resolve: (_, a, ctx) => conversations.renameConversation(ctx, requireViewer(ctx), conversationId(a), a.title),
    }),
    addConversationMembers: t.field({
      type: ConversationRef,
      description: 'Groups only; owners and admins. Users already in are ignored. Errors: NOT_FOUND, FORBIDDEN, BAD_USER_INPUT.',
      args: { conversationId: conversationArg(), userIds: t.arg.globalIDList({ required: true }) },
      resolve: (_, a, ctx) => conversations.addMembers(ctx, requireViewer(ctx), conversationId(a), userIds(a.userIds, 'userIds')),
    }),
    removeConversationMember: t.field({
      type: ConversationRef,
      description: 'Groups only; owners remove anyone, admins plain members. The removed member loses access at once.',
      args: { conversationId: conversationArg(), userId: userArg() },
      resolve: (_, a, ctx) => conversations.removeMember(ctx, requireViewer(ctx), conversationId(a), userId(a)),
    }),
    setConversationMemberRole: t.field({
      type: ConversationRef,
      description: 'Groups only; owners only.',
      args: { conversationId: conversationArg(), userId: userArg(), role: t.arg({ type: MemberRole, required: true }) },
      resolve: (_, a, ctx) => conversations.setMemberRole(ctx, requireViewer(ctx), conversationId(a), userId(a), a.role),
    }),
    leaveConversation: t.field({
      type: LeavePayload,
      description: 'Groups only. When the last owner leaves, the longest-standing admin (else member) becomes owner.',
      args: { conversationId: conversationArg() },
      resolve: async (_, a, ctx) => {
        const id = conversationId(a);
        await conversations.leaveConversation(ctx, requireViewer(ctx), id);
        return { conversationId: id };
      },
    }),
  };
});

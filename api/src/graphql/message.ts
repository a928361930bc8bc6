import { getConversation } from '../conversations/conversations-service.js';
import type { MessageRow } from '../db/tables.js';
import { decodeGlobalId, encodeGlobalId } from '../global-ids.js';
import { messageVersions } from '../messages/message-versions.js';
import { getMessage } from '../messages/messages-service.js';
import { builder } from './builder.js';
import { ConversationRef } from './conversation.js';
import { MessageVersionRef } from './message-version.js';
import { UserRef } from './user.js';

export const MessageRef = builder.objectRef<MessageRow>('Message');

const Reaction = builder.objectRef<{ userId: string; emoji: string }>('Reaction').implement({
  fields: (t) => ({
    user: t.field({
      type: UserRef,
      nullable: true,
      resolve: async (r, _, ctx) => (await ctx.loaders.user.load(decodeGlobalId(r.userId).id)) ?? null,
    }),
    userId: t.id({ resolve: (r) => r.userId }),
    emoji: t.exposeString('emoji'),
  }),
});

builder.node(MessageRef, {
  description:
    'A message, as the server last merged it from the conversation documents. Devices that speak Yjs hold the same data in their segment documents.',
  id: { resolve: (m) => m.id },
  loadOne: async (id, ctx) => (ctx.viewer ? ((await getMessage(ctx, ctx.viewer, id)) ?? null) : null),
  fields: (t) => ({
    conversation: t.field({
      type: ConversationRef,
      resolve: async (m, _, ctx) => (ctx.viewer && (await getConversation(ctx, ctx.viewer, m.conversation_id))) || gone(),
    }),
    segment: t.exposeInt('segment', { description: 'The segment document that holds it.' }),
    author: t.field({ type: UserRef, resolve: async (m, _, ctx) => (await ctx.loaders.user.load(m.author_id)) ?? gone() }),
    createdAt: t.field({ type: 'DateTime', resolve: (m) => new Date(Number(m.created_at)) }),
    text: t.exposeString('text', { description: 'Empty once deleted.' }),
    replyTo: t.id({ nullable: true, resolve: (m) => (m.reply_to ? encodeGlobalId('Message', m.reply_to) : null) }),
    editedAt: t.field({
      type: 'DateTime',
      nullable: true,
      description: 'When the text shown was written, if it is not the original; null once deleted.',
      resolve: (m) => (m.edited_at === null ? null : new Date(Number(m.edited_at))),
    }),
    versions: t.field({
      type: [MessageVersionRef],
      description:
        'The edit history: every version of the text, oldest first; the last is `text` (`isCurrent`). Concurrent edits do not mix: the later one (hybrid clock) is the text, the other stays here. Empty once deleted.',
      resolve: (m) => messageVersions(m).map((v) => ({ ...v, authorId: m.author_id })),
    }),
    deleted: t.exposeBoolean('deleted'),
    reactions: t.field({
      type: [Reaction],
      resolve: (m) => Object.entries(m.reactions).map(([userId, emoji]) => ({ userId, emoji })),
    }),
  }),
});

function gone(): never {
  throw new Error('message without its conversation or author');
}

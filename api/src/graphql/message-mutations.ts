import { limits } from '@mailboat/schema';
import { requireViewer } from '../auth/authenticate.js';
import type { MessageRow } from '../db/tables.js';
import { type GlobalId, idOf } from '../global-ids.js';
import { listMessages, type MessageKey } from '../messages/messages-service.js';
import * as messaging from '../messages/plain-messaging-service.js';
import { builder } from './builder.js';
import { ConversationRef } from './conversation.js';
import { encodeCursor, type KeysetPage, keysetConnection } from './cursors.js';
import { MessageRef } from './message.js';

// Plain messaging for clients that know no Yjs: the server writes the CRDT update for them
// (see messages/plain-messaging-service.ts), so Yjs devices see these writes like any other.

const ERRORS = 'Errors: NOT_FOUND (a message or conversation you cannot see), FORBIDDEN (not your message), BAD_USER_INPUT.';
const TEXT_RULES = `Trimmed; 1 to ${limits.messageText.max} UTF-16 code units that show something; newlines and tabs allowed; no other control characters, no bidirectional overrides or isolates, well-formed Unicode.`;

const SendMessageInput = builder.inputType('SendMessageInput', {
  fields: (t) => ({
    conversationId: t.globalID({ required: true }),
    text: t.string({ required: true, description: TEXT_RULES }),
    replyTo: t.globalID({ description: 'A message of the same conversation this one answers.' }),
    clientMessageId: t.id({
      description:
        'A UUID v7 the client made (or the Message ID built from it), for safe retries: it becomes the message id, and sending it again returns the message already sent instead of a copy.',
    }),
    attachmentIds: t.globalIDList({
      description:
        'Photos and files to send with it (at most 10): uploads of yours into this conversation, each completed with completeAttachmentUpload and not sent yet. With attachments, `text` (the caption) may be empty.',
    }),
  }),
});

const EditMessageInput = builder.inputType('EditMessageInput', {
  fields: (t) => ({
    messageId: t.globalID({ required: true }),
    text: t.string({ required: true, description: TEXT_RULES }),
  }),
});

const ReactToMessageInput = builder.inputType('ReactToMessageInput', {
  fields: (t) => ({
    messageId: t.globalID({ required: true }),
    emoji: t.string({ description: 'Exactly one emoji; null removes your reaction.' }),
  }),
});

const messageId = (value: GlobalId, field = 'messageId') => idOf(value, 'Message', field);

builder.mutationFields((t) => ({
  sendMessage: t.field({
    type: MessageRef,
    description: `Sends a message; answers once it is committed. It sorts after every message the conversation already has. ${ERRORS}`,
    args: { input: t.arg({ type: SendMessageInput, required: true }) },
    resolve: (_, { input }, ctx) =>
      messaging.sendMessage(ctx, requireViewer(ctx), {
        conversationId: idOf(input.conversationId, 'Conversation', 'conversationId'),
        text: input.text,
        replyTo: input.replyTo ? messageId(input.replyTo, 'replyTo') : null,
        clientMessageId: input.clientMessageId === null || input.clientMessageId === undefined ? null : String(input.clientMessageId),
        attachmentIds: input.attachmentIds?.map((id) => idOf(id, 'Attachment', 'attachmentIds')) ?? null,
      }),
  }),
  editMessage: t.field({
    type: MessageRef,
    description: `Adds a version of your message's text, which becomes its text and editedAt; the earlier ones stay in \`versions\`. The same text changes nothing. ${ERRORS}`,
    args: { input: t.arg({ type: EditMessageInput, required: true }) },
    resolve: (_, { input }, ctx) =>
      messaging.editMessage(ctx, requireViewer(ctx), { messageId: messageId(input.messageId), text: input.text }),
  }),
  deleteMessage: t.field({
    type: MessageRef,
    description: `Deletes your message: it stays in the list with deleted = true, empty text and no versions. Deleting again changes nothing. ${ERRORS}`,
    args: { messageId: t.arg.globalID({ required: true }) },
    resolve: (_, args, ctx) => messaging.deleteMessage(ctx, requireViewer(ctx), messageId(args.messageId)),
  }),
  reactToMessage: t.field({
    type: MessageRef,
    description: `Sets your one reaction to a message (replacing any earlier one), or removes it with emoji: null. ${ERRORS}`,
    args: { input: t.arg({ type: ReactToMessageInput, required: true }) },
    resolve: (_, { input }, ctx) =>
      messaging.reactToMessage(ctx, requireViewer(ctx), { messageId: messageId(input.messageId), emoji: input.emoji ?? null }),
  }),
}));

const messagePage = (page: KeysetPage) => ({
  ...page,
  after: page.after && ([page.after[0].getTime(), page.after[1]] as MessageKey),
  before: page.before && ([page.before[0].getTime(), page.before[1]] as MessageKey),
});

builder.objectField(ConversationRef, 'messages', (t) =>
  t.connection(
    {
      type: MessageRef,
      description: `Messages in display order (createdAt, then id), deleted ones included; last: ${limits.pageSize.default} is the newest page. At most ${limits.pageSize.max} per page.`,
      resolve: (c, args, ctx) =>
        keysetConnection(
          args,
          (m: MessageRow) => encodeCursor(new Date(m.created_at), m.id),
          (page) => listMessages(ctx, c, messagePage(page)),
        ),
    },
    { name: 'ConversationMessageConnection' },
    { name: 'ConversationMessageEdge' },
  ),
);

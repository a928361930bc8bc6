import { limits } from '@mailboat/schema';
import { requireViewer } from '../auth/authenticate.js';
import { badInput } from '../errors.js';
import { encodeGlobalId } from '../global-ids.js';
import { changesHead, decodeChangeCursor, listChanges, type MessageChange } from '../sync/changes/changes-service.js';
import * as validate from '../validate.js';
import { builder } from './builder.js';
import { MessageRef } from './message.js';

const MessageChangeKind = builder.enumType('MessageChangeKind', {
  values: {
    NEW: { value: 'new', description: 'Created after the `after` cursor (and not deleted).' },
    EDITED: {
      value: 'edited',
      description: 'Text or reactions changed. Usually a message you have, but upsert: it may be one created and edited between two reads.',
    },
    DELETED: { value: 'deleted', description: 'Deleted (text emptied); possibly also created after the cursor.' },
  } as const,
});

const MessageChangeRef = builder.objectRef<MessageChange>('MessageChange').implement({
  description: 'A message that changed, in its current state, and which segment document to diff for it.',
  fields: (t) => ({
    kind: t.field({ type: MessageChangeKind, resolve: (c) => c.kind }),
    message: t.field({ type: MessageRef, resolve: (c) => c.message }),
    conversationId: t.id({ resolve: (c) => encodeGlobalId('Conversation', c.message.conversation_id) }),
    segment: t.int({
      description: 'The segment document holding the message: a Yjs device pulls its diff (segmentDiffs).',
      resolve: (c) => c.message.segment,
    }),
    changedAt: t.field({
      type: 'DateTime',
      description: 'When the writing transaction began (informational; order by the cursor, not by this).',
      resolve: (c) => c.changedAt,
    }),
  }),
});

const MessageChangeConnection = builder.connectionObject(
  { type: MessageChangeRef, name: 'MessageChangeConnection' },
  { name: 'MessageChangeEdge' },
);

builder.queryField('changes', (t) =>
  t.field({
    type: MessageChangeConnection,
    description: [
      "What changed since a cursor in every conversation the viewer is a member of now (a removed member's conversations stop appearing): new, edited and deleted messages, oldest change first.",
      'Keep `pageInfo.endCursor` (never null) and pass it as `after` next time; without `after` the feed starts from the beginning.',
      'A cursor never skips a change, even one committed late by a slow writer: such a change shows up after it.',
      'A message changed several times appears once, in its latest state, at its latest change. Messages of a conversation joined later are not replayed: load its history (segments).',
      `Errors: UNAUTHENTICATED, BAD_USER_INPUT (a cursor not made by this field, \`first\` below 1 or above ${limits.pageSize.max}).`,
    ].join(' '),
    args: {
      after: t.arg.string({ description: 'An endCursor from an earlier page; omit to start from the beginning.' }),
      first: t.arg.int({ description: `Page size, default ${limits.pageSize.default}, at most ${limits.pageSize.max}.` }),
    },
    resolve: async (_, args, ctx) => {
      const viewer = requireViewer(ctx);
      if (args.first != null && args.first < 1) throw badInput('first', '`first` must be at least 1');
      validate.pageSize('first', args.first);
      const limit = args.first ?? limits.pageSize.default;
      const after = args.after == null ? undefined : decodeChangeCursor(args.after, 'after');
      const page = await listChanges(ctx, viewer, { after, limit });
      return {
        edges: page.changes.map((change) => ({ cursor: change.cursor, node: change })),
        pageInfo: {
          hasNextPage: page.hasMore,
          hasPreviousPage: after !== undefined,
          startCursor: page.changes[0]?.cursor ?? page.endCursor,
          endCursor: page.endCursor,
        },
      };
    },
  }),
);

builder.queryField('changesHead', (t) =>
  t.string({
    description:
      'A `changes` cursor at the current end of the feed, for a new device: take it before loading history, then read `changes(after:)` from it to learn only what changed since. Errors: UNAUTHENTICATED.',
    resolve: (_, __, ctx) => {
      requireViewer(ctx);
      return changesHead(ctx);
    },
  }),
);

import { limits, SEGMENT_MS, updateRefusalCodes } from '@mailboat/schema';
import { requireViewer } from '../auth/authenticate.js';
import { badInput } from '../errors.js';
import { decodeGlobalId as decode, encodeGlobalId, idOf } from '../global-ids.js';
import { type PushOutcome, pushUpdates } from '../sync/push/push-service.js';
import { diffSegments, listConversationSegments, type SegmentDiff } from '../sync/segments/pull-service.js';
import * as validate from '../validate.js';
import { builder } from './builder.js';
import { ConversationRef } from './conversation.js';

const segmentNumber = (value: number, field: string) => {
  if (!Number.isSafeInteger(value) || value < 0 || value > 2 ** 31 - 1) throw badInput(field, 'Not a segment number');
  return value;
};

const SegmentUpdateInput = builder.inputType('SegmentUpdateInput', {
  fields: (t) => ({
    conversationId: t.id({ required: true }),
    segment: t.int({ required: true, description: 'segmentOf(message.createdAt): hours since the epoch, UTC.' }),
    update: t.field({ type: 'Bytes', required: true, description: 'A Yjs v1 update to that segment document.' }),
  }),
});

const PushStatus = builder.enumType('PushStatus', {
  values: {
    ACCEPTED: { description: 'Committed and sent to the other members.' },
    DUPLICATE: { description: 'The server already had all of it; nothing stored.' },
    REFUSED: { description: 'Nothing stored: see error. Roll the change back locally (or resync, for MISSING_DEPENDENCIES).' },
  },
});

const UpdateRefusalCode = builder.enumType('UpdateRefusalCode', {
  description: 'Why a pushed update was refused (the same codes as errors: see schema/src/errors.ts). Nothing of it was stored.',
  values: updateRefusalCodes,
});

const UpdateError = builder.objectRef<Extract<PushOutcome, { status: 'refused' }>>('UpdateError').implement({
  fields: (t) => ({
    code: t.expose('code', { type: UpdateRefusalCode }),
    message: t.exposeString('message'),
    stateVector: t.field({
      type: 'Bytes',
      nullable: true,
      description: "With MISSING_DEPENDENCIES: the server's state vector; push what it lacks.",
      resolve: (e) => e.stateVector ?? null,
    }),
  }),
});

type Result = PushOutcome & { conversationId: string; segment: number };

const PushResult = builder.objectRef<Result>('PushResult').implement({
  description: 'The outcome of one pushed update, in the order they were sent.',
  fields: (t) => ({
    conversationId: t.id({ resolve: (r) => encodeGlobalId('Conversation', r.conversationId) }),
    segment: t.int({ resolve: (r) => r.segment }),
    status: t.field({
      type: PushStatus,
      resolve: (r) => (r.status === 'accepted' ? 'ACCEPTED' : r.status === 'duplicate' ? 'DUPLICATE' : 'REFUSED'),
    }),
    error: t.field({ type: UpdateError, nullable: true, resolve: (r) => (r.status === 'refused' ? r : null) }),
  }),
});

const PushPayload = builder.objectRef<{ results: Result[] }>('PushUpdatesPayload').implement({
  fields: (t) => ({ results: t.field({ type: [PushResult], resolve: (p) => p.results }) }),
});

const SegmentStateInput = builder.inputType('SegmentStateInput', {
  fields: (t) => ({
    conversationId: t.id({ required: true }),
    segment: t.int({ required: true }),
    stateVector: t.field({ type: 'Bytes', description: "The device's Yjs state vector of the segment; omit for everything." }),
  }),
});

const SegmentDiffRef = builder.objectRef<SegmentDiff>('SegmentDiff').implement({
  fields: (t) => ({
    conversationId: t.id({ resolve: (d) => encodeGlobalId('Conversation', d.conversationId) }),
    segment: t.int({ resolve: (d) => d.segment }),
    update: t.field({
      type: 'Bytes',
      description: 'Exactly what the given state vector lacks (a Yjs v1 update).',
      resolve: (d) => d.update,
    }),
    stateVector: t.field({ type: 'Bytes', description: "The server's state vector after this update.", resolve: (d) => d.stateVector }),
  }),
});

const SegmentInfo = builder.objectRef<{ segment: number; messages: number }>('Segment').implement({
  description: 'One hour of a conversation (UTC), as its own Yjs document.',
  fields: (t) => ({
    number: t.int({ resolve: (s) => s.segment }),
    startsAt: t.field({ type: 'DateTime', resolve: (s) => new Date(s.segment * SEGMENT_MS) }),
    messageCount: t.int({ resolve: (s) => s.messages }),
  }),
});

builder.objectField(ConversationRef, 'segments', (t) =>
  t.connection(
    {
      type: SegmentInfo,
      description:
        'Segments that hold messages, newest first: page back through history one segment at a time, with first and after (last and before are refused).',
      resolve: async (c, args, ctx) => {
        if (args.first != null && args.first < 1) throw badInput('first', '`first` must be at least 1');
        validate.pageSize('first', args.first);
        for (const name of ['last', 'before'] as const) {
          if (args[name] != null) throw badInput(name, 'Segments page from the newest back: use first and after');
        }
        const size = args.first ?? limits.pageSize.default;
        const before = args.after ? Number.parseInt(args.after, 10) : undefined;
        if (before !== undefined && Number.isNaN(before)) throw badInput('after', 'Invalid pagination cursor');
        const rows = await listConversationSegments(ctx, c, { before, limit: size + 1 });
        const page = rows.slice(0, size);
        return {
          edges: page.map((s) => ({ cursor: String(s.segment), node: s })),
          pageInfo: {
            hasNextPage: rows.length > size,
            hasPreviousPage: before !== undefined,
            startCursor: page[0] ? String(page[0].segment) : null,
            endCursor: page.at(-1) ? String(page.at(-1)?.segment) : null,
          },
        };
      },
    },
    { name: 'SegmentConnection' },
    { name: 'SegmentEdge' },
  ),
);

builder.mutationField('pushUpdates', (t) =>
  t.field({
    type: PushPayload,
    description: `Stores Yjs updates (at most ${limits.pushUpdates.max}, any conversations), each checked against the write rules. Answers after they are committed; each update gets its own result.`,
    args: { updates: t.arg({ type: [SegmentUpdateInput], required: true }) },
    resolve: async (_, { updates }, ctx) => {
      const viewer = requireViewer(ctx);
      if (updates.length > limits.pushUpdates.max) throw badInput('updates', `At most ${limits.pushUpdates.max} updates per push`);
      const items = updates.map((u, i) => ({
        conversationId: idOf(decode(u.conversationId), 'Conversation', `updates.${i}.conversationId`),
        segment: segmentNumber(u.segment, `updates.${i}.segment`),
        update: u.update,
      }));
      const outcomes = await pushUpdates(ctx, viewer, items);
      return { results: outcomes.map((o, i) => ({ ...o, conversationId: items[i]!.conversationId, segment: items[i]!.segment })) };
    },
  }),
);

builder.queryField('segmentDiffs', (t) =>
  t.field({
    type: [SegmentDiffRef],
    description:
      'Catch-up: for each segment and your state vector, exactly the missing part. Errors: NOT_FOUND for a conversation you are not in.',
    args: { segments: t.arg({ type: [SegmentStateInput], required: true }) },
    resolve: (_, { segments }, ctx) => {
      const viewer = requireViewer(ctx);
      if (segments.length > limits.pageSize.max) throw badInput('segments', `At most ${limits.pageSize.max} segments at once`);
      return diffSegments(
        ctx,
        viewer,
        segments.map((s, i) => ({
          conversationId: idOf(decode(s.conversationId), 'Conversation', `segments.${i}.conversationId`),
          segment: segmentNumber(s.segment, `segments.${i}.segment`),
          stateVector: s.stateVector,
        })),
      );
    },
  }),
);

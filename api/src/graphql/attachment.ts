import { isInlineImageType } from '@mailboat/schema';
import { attachmentLimitsOf, attachmentUrls } from '../attachments/attachment-reads.js';
import { completeUpload, startUpload, type UploadState, type UploadTarget } from '../attachments/attachments-service.js';
import { requireViewer } from '../auth/authenticate.js';
import type { AttachmentRow } from '../db/tables.js';
import { encodeGlobalId, idOf } from '../global-ids.js';
import { builder } from './builder.js';
import { MessageRef } from './message.js';

// Photos and files: the attachments of messages, and their uploads.

export const AttachmentRef = builder.objectRef<AttachmentRow>('Attachment').implement({
  description:
    "A photo or file of a message. Fetch its bytes from `url` (and an image's small version from `thumbnailUrl`) with the same `Authorization: Bearer` header as GraphQL: only members of its conversation may.",
  fields: (t) => ({
    id: t.id({ resolve: (a) => encodeGlobalId('Attachment', a.id) }),
    name: t.exposeString('name', { description: 'The file name the sender gave it. Untrusted text: show it, never use it as a path.' }),
    contentType: t.string({
      description: 'What the bytes are (sniffed by the server, never taken from the name); `application/octet-stream` when unknown.',
      resolve: (a) => a.content_type as string,
    }),
    size: t.exposeInt('size', { description: 'Bytes, as sent.' }),
    inline: t.boolean({
      description: 'A raster image (JPEG, PNG, GIF, WebP, AVIF) to show inline; anything else is a file to download.',
      resolve: (a) => isInlineImageType(a.content_type as string),
    }),
    width: t.exposeInt('width', { nullable: true, description: "An image's pixel width, after its orientation." }),
    thumbhash: t.exposeString('thumbhash', {
      nullable: true,
      description:
        'A ThumbHash (base64) of an image, to paint a placeholder of its colours and shape before any byte arrives; null when the sender gave none.',
    }),
    height: t.exposeInt('height', { nullable: true }),
    url: t.string({
      description: 'Its bytes: GET with `Authorization: Bearer <token>`; add `?download=1` to save rather than show.',
      resolve: (a) => attachmentUrls(a).url,
    }),
    thumbnailUrl: t.string({
      nullable: true,
      description: "An image's small version (WebP, at most 640 px on its longer side); null for other files.",
      resolve: (a) => attachmentUrls(a).thumbnailUrl,
    }),
  }),
});

builder.objectField(MessageRef, 'attachments', (t) =>
  t.field({
    type: [AttachmentRef],
    description: 'Its photos and files, in order; empty once deleted.',
    resolve: (m, _, ctx) => (m.deleted ? [] : ctx.loaders.attachments.load(m.id)),
  }),
);

const AttachmentLimitsRef = builder.objectRef<ReturnType<typeof attachmentLimitsOf>>('AttachmentLimits').implement({
  description: "This server's limits on photos and files: check them before uploading.",
  fields: (t) => ({
    maxFileBytes: t.exposeInt('maxFileBytes'),
    maxMessageBytes: t.exposeInt('maxMessageBytes', { description: "The most one message's files may total." }),
    maxPerMessage: t.exposeInt('maxPerMessage'),
    partBytes: t.exposeInt('partBytes', { description: 'Uploads go in parts of this many bytes (the last may be smaller).' }),
  }),
});

builder.queryField('attachmentLimits', (t) =>
  t.field({
    type: AttachmentLimitsRef,
    resolve: (_, __, ctx) => {
      requireViewer(ctx);
      return attachmentLimitsOf(ctx);
    },
  }),
);

const HttpHeaderRef = builder.objectRef<{ name: string; value: string }>('HttpHeader').implement({
  fields: (t) => ({ name: t.exposeString('name'), value: t.exposeString('value') }),
});

const UploadPartRef = builder.objectRef<UploadTarget>('UploadPart').implement({
  description: 'One part of an upload: PUT bytes [offset, offset + size) of the file to `url` with exactly `headers`.',
  fields: (t) => ({
    number: t.exposeInt('number'),
    offset: t.exposeFloat('offset', { description: 'Where the part starts in the file, in bytes.' }),
    size: t.exposeInt('size'),
    url: t.exposeString('url', {
      description:
        'Where to PUT it: an absolute URL (an object store), or a path on this API. It carries its own authorization: send no Authorization header.',
    }),
    headers: t.field({ type: [HttpHeaderRef], resolve: (p) => p.headers }),
  }),
});

const AttachmentUploadRef = builder.objectRef<UploadState>('AttachmentUpload').implement({
  fields: (t) => ({
    attachmentId: t.id({ resolve: (u) => encodeGlobalId('Attachment', u.attachmentId) }),
    complete: t.exposeBoolean('complete', { description: 'True once completeAttachmentUpload succeeded: nothing left to send.' }),
    parts: t.field({ type: [UploadPartRef], description: 'The parts still missing (all of them at first).', resolve: (u) => u.parts }),
  }),
});

const StartAttachmentUploadInput = builder.inputType('StartAttachmentUploadInput', {
  fields: (t) => ({
    conversationId: t.globalID({ required: true }),
    clientAttachmentId: t.string({
      description:
        'A UUID you make (as for messages), to resume this upload after a restart by starting it again, and to name it in a Yjs message. Made by the server when omitted.',
    }),
    name: t.string({ required: true, description: 'The file name (one line, no / or \\, at most 255 characters).' }),
    size: t.int({ required: true, description: 'Bytes; at most attachmentLimits.maxFileBytes (else ATTACHMENT_TOO_LARGE).' }),
  }),
});

builder.mutationField('startAttachmentUpload', (t) =>
  t.field({
    type: AttachmentUploadRef,
    description:
      'Starts (or resumes) uploading a file into a conversation: PUT each part listed, then call completeAttachmentUpload. Then send a message naming it (sendMessage attachmentIds, or a Yjs message whose `attachments` hold it).',
    args: { input: t.arg({ type: StartAttachmentUploadInput, required: true }) },
    resolve: (_, { input }, ctx) =>
      startUpload(ctx, requireViewer(ctx), {
        conversationId: idOf(input.conversationId, 'Conversation', 'conversationId'),
        clientAttachmentId: input.clientAttachmentId ?? null,
        name: input.name,
        size: input.size,
      }),
  }),
);

builder.mutationField('completeAttachmentUpload', (t) =>
  t.field({
    type: AttachmentRef,
    description:
      'Finishes an upload once every part is sent: the server checks what the bytes are (ATTACHMENT_TYPE_NOT_ALLOWED), strips photo metadata and makes the thumbnail. UPLOAD_INCOMPLETE lists the parts still missing.',
    args: { attachmentId: t.arg.globalID({ required: true }) },
    resolve: (_, args, ctx) => completeUpload(ctx, requireViewer(ctx), idOf(args.attachmentId, 'Attachment', 'attachmentId')),
  }),
);

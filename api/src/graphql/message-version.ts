import type { MessageVersionView } from '../messages/message-versions.js';
import { builder } from './builder.js';
import { DeviceRef } from './device.js';

/** A version as GraphQL resolves it: with the message's author, who alone may see its device. */
export type MessageVersionSource = MessageVersionView & { authorId: string };

export const MessageVersionRef = builder.objectRef<MessageVersionSource>('MessageVersion').implement({
  description:
    "One version of a message's text. Concurrent edits of one message never mix: the one written last (hybrid clock) is the text, and every other stays here.",
  fields: (t) => ({
    text: t.exposeString('text'),
    editedAt: t.field({
      type: 'DateTime',
      nullable: true,
      description: "When this version was written; null for the message's original text (written at the message's createdAt).",
      resolve: (v) => (v.editedAt === null ? null : new Date(Number(v.editedAt))),
    }),
    isCurrent: t.boolean({ description: "True for the version shown as the message's text (the last one).", resolve: (v) => v.isCurrent }),
    device: t.field({
      type: DeviceRef,
      nullable: true,
      description:
        "The device that wrote this version. Only the message's author sees it (null for everyone else), and null when unknown (text written before Mailboat kept it).",
      resolve: async (v, _, ctx) => {
        if (!ctx.viewer || ctx.viewer.userId !== v.authorId || v.deviceId === null) return null;
        const device = await ctx.loaders.device.load(v.deviceId);
        return device?.user_id === ctx.viewer.userId ? device : null;
      },
    }),
  }),
});

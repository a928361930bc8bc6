import { encodeGlobalId, type Message } from '@mailboat/schema';
import type { AttachmentUpload, ChatMessage, TextVersion, User } from '../app/model.js';
import { chatAttachments, sameAttachments } from './attachments/rows.js';
import type { FailedWrite, Position, Watermark } from './records.js';
import { tickFromReceipts } from './ticks.js';

/** What a row is built from besides its message: the same for every row of one build. */
export type RowInputs = {
  conversationId: string;
  viewerId: string;
  receipts: Watermark[];
  user: (id: string) => User;
  /** This device's upload of an attachment (the same object while unchanged), or null. */
  upload: (attachmentId: string) => AttachmentUpload | null;
};

/** A message's row, with what it was built from. */
type Built = {
  message: Message;
  chat: ChatMessage;
  conversationId: string;
  viewerId: string;
  author: User;
  failure: FailedWrite['failure'] | null;
  receipts: Watermark[];
  /** This device's uploads of the message's attachments, as the row shows them. */
  uploads: (AttachmentUpload | null)[];
  /** The build that last asked for it. */
  build: number;
};

const NO_VERSIONS: TextVersion[] = Object.freeze([]) as unknown as TextVersion[];
const NO_UPLOADS: (AttachmentUpload | null)[] = [];

const position = (m: Pick<Message, 'createdAt' | 'id'>): Position => ({ at: m.createdAt, id: m.id });

const sameUser = (a: User, b: User) => a === b || (a.id === b.id && a.handle === b.handle && a.displayName === b.displayName);

/**
 * The rows (ChatMessage) of one conversation, kept from one build of its view to the next
 * under one rule: a message's row is the same object as long as everything in it is the
 * same, and a new object as soon as anything in it changed. The screens compare rows by
 * identity only (React.memo in MessageRow). The owner keeps one per conversation.
 */
export class MessageRows {
  private readonly byId = new Map<string, Built>();
  private build = 0;

  /** A build of the conversation's view starts: every row it needs is asked for before `end`. */
  start(): void {
    this.build++;
  }

  /**
   * The row of `m`. A Message object never changes, so the row built for it before is reused at
   * once while its tick, failure and author are unchanged. Otherwise the row is built afresh,
   * and the message's previous row is kept instead when the new one would say exactly the same
   * (a document reloaded or rebuilt makes new Message objects of unchanged messages).
   */
  row(input: RowInputs, m: Message, pending: boolean, failed: FailedWrite | undefined): ChatMessage {
    const prev = this.byId.get(m.id);
    const same =
      prev !== undefined && prev.message === m && prev.conversationId === input.conversationId && prev.viewerId === input.viewerId;
    const mine = m.author === input.viewerId;
    // The same receipts give the same tick, unless the row was pending or failed.
    const tickHolds = same && prev.receipts === input.receipts && prev.failure === null && prev.chat.tick !== 'pending';
    const tick = !mine
      ? null
      : failed
        ? 'failed'
        : pending
          ? 'pending'
          : tickHolds
            ? prev.chat.tick
            : tickFromReceipts(position(m), m.author, input.receipts);
    const failure = failed ? failed.failure : null;
    const author = input.user(m.author);
    const uploads = m.attachments.length === 0 ? NO_UPLOADS : m.attachments.map((a) => input.upload(a.id));
    const uploadsHold = same && uploads.length === prev.uploads.length && uploads.every((u, i) => u === prev.uploads[i]);
    if (same && uploadsHold && prev.chat.tick === tick && prev.failure === failure && sameUser(prev.author, author)) {
      prev.receipts = input.receipts; // the tick holds for these receipts too: the next build need not work it out again
      prev.build = this.build;
      return prev.chat;
    }
    const fresh = chatMessage(input, m, mine, author, tick, failure, uploads);
    const chat = prev && sameRow(prev.chat, fresh) ? prev.chat : fresh;
    const { conversationId, viewerId, receipts } = input;
    this.byId.set(m.id, { message: m, chat, conversationId, viewerId, author, failure, receipts, uploads, build: this.build });
    return chat;
  }

  /** The build is done (it needed `count` rows): the rows of messages it no longer shows are let go, now and then. */
  end(count: number): void {
    if (this.byId.size <= 2 * count + 64) return;
    for (const [id, built] of this.byId) if (built.build !== this.build) this.byId.delete(id);
  }
}

function chatMessage(
  input: RowInputs,
  m: Message,
  mine: boolean,
  author: User,
  tick: ChatMessage['tick'],
  failure: ChatMessage['failure'],
  uploads: (AttachmentUpload | null)[],
): ChatMessage {
  return {
    id: encodeGlobalId('Message', m.id),
    conversationId: input.conversationId,
    author,
    mine,
    text: m.text,
    createdAt: m.createdAt,
    editedAt: m.editedAt,
    versions: m.versions.length === 0 ? NO_VERSIONS : m.versions.map((v) => ({ id: v.id, text: v.text, at: v.at })),
    deleted: m.deleted,
    replyTo: m.replyTo === null ? null : encodeGlobalId('Message', m.replyTo),
    reactions: Object.entries(m.reactions)
      .map(([userId, emoji]) => ({ userId, emoji }))
      .sort((a, b) => (a.userId < b.userId ? -1 : a.userId > b.userId ? 1 : 0)),
    tick,
    failure,
    attachments: chatAttachments(m.attachments, uploads),
  };
}

/** Whether two rows say exactly the same: every field of a ChatMessage, compared by value. */
function sameRow(a: ChatMessage, b: ChatMessage): boolean {
  return (
    a.id === b.id &&
    a.conversationId === b.conversationId &&
    sameUser(a.author, b.author) &&
    a.mine === b.mine &&
    a.text === b.text &&
    a.createdAt === b.createdAt &&
    a.editedAt === b.editedAt &&
    a.deleted === b.deleted &&
    a.replyTo === b.replyTo &&
    a.tick === b.tick &&
    sameFailure(a.failure, b.failure) &&
    sameAttachments(a.attachments, b.attachments) &&
    a.reactions.length === b.reactions.length &&
    a.reactions.every((r, i) => r.userId === b.reactions[i]?.userId && r.emoji === b.reactions[i]?.emoji) &&
    a.versions.length === b.versions.length &&
    a.versions.every((v, i) => v.id === b.versions[i]?.id && v.at === b.versions[i]?.at && v.text === b.versions[i]?.text)
  );
}

const sameFailure = (a: ChatMessage['failure'], b: ChatMessage['failure']) =>
  a === b || (a !== null && b !== null && a.code === b.code && a.message === b.message && a.retryable === b.retryable);

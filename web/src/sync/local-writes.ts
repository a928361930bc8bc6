import {
  type AttachmentRef,
  canAddVersion,
  ErrorCode,
  encodeGlobalId,
  type HybridClock,
  isReactionEmoji,
  limits,
  type Message,
  messagesOf,
  messageTextProblem,
  nextVersionAt,
  normalizeMessageText,
  parseGlobalId,
  readMessage,
  segmentOf,
} from '@mailboat/schema';
import { v7 as uuidv7 } from 'uuid';
import { ClientError } from '../app/model.js';
import type { Account } from './account.js';
import { attachmentsOf } from './attachments/hold-back.js';
import { localOrigin } from './origins.js';
import type { HeldDoc } from './segment-store.js';
import { applyOp, type SendOp, type WriteOp } from './write-ops.js';

/**
 * The viewer's writes, local-first: each is applied synchronously to its segment document
 * (origin local), its update is queued in the outbox, and listeners are notified before the
 * call returns; `afterWrite` then gets the chance to push. Invalid input throws ClientError
 * (BAD_USER_INPUT, FORBIDDEN, NOT_FOUND) and changes nothing; lack of network never throws.
 * Text is judged by the schema's text rules (schema/src/text.ts), as the server judges it.
 * An edit adds a whole new version of the text (never a character diff), dated by the
 * device's server-corrected clock and later than the version it replaces.
 */
export class LocalWriter {
  constructor(
    private readonly account: Account,
    private readonly clock: HybridClock,
    private readonly afterWrite: () => void,
    private readonly now: () => number,
  ) {}

  send(conversationId: string, text: string, replyTo?: string): string {
    return this.create(conversationId, validText(text), replyTo);
  }

  /**
   * Writes a new message with files: `attachments` are their refs (their bytes and upload
   * records are stored already, attachments/send-files.ts), `caption` is stored text (see
   * validCaption; it may be empty), `messageId` one newMessageId made. Returns its API id.
   */
  sendAttachments(conversationId: string, caption: string, attachments: AttachmentRef[], messageId: string, replyTo?: string): string {
    return this.create(conversationId, caption, replyTo, attachments, messageId);
  }

  /** A fresh message id: a UUID v7 dated by the server-corrected clock. */
  newMessageId(): string {
    return uuidv7({ msecs: this.now() });
  }

  private create(conversationId: string, body: string, replyTo?: string, attachments?: AttachmentRef[], id?: string): string {
    this.account.messages(conversationId); // lets the clock observe what the device holds
    const createdAt = this.clock.next();
    const messageId = id ?? this.newMessageId();
    const op: SendOp = { kind: 'send', conversationId, messageId, author: this.account.viewerId, text: body, createdAt };
    // A replyTo that is not a Message ID is written as given: the server refuses the write.
    if (replyTo) op.replyTo = parseGlobalId(replyTo)?.id ?? replyTo;
    if (attachments?.length) op.attachments = attachments;
    this.apply(op, segmentOf(createdAt));
    return encodeGlobalId('Message', messageId);
  }

  /** Edits to the same text change nothing; a message keeps at most limits.messageVersions.max versions. */
  edit(messageId: string, text: string): void {
    const body = validText(text);
    const { held, id, message } = this.ownMessage(messageId);
    if (body === message.text) return;
    if (!canAddVersion(message.versions)) {
      throw new ClientError(
        ErrorCode.BAD_USER_INPUT,
        `A message keeps at most ${limits.messageVersions.max} versions: this one cannot be edited again`,
      );
    }
    this.apply(this.editOp(held, id, body), held.segment);
  }

  remove(messageId: string): void {
    const { held, id } = this.ownMessage(messageId);
    this.apply({ kind: 'remove', conversationId: held.conversationId, messageId: id }, held.segment);
  }

  react(messageId: string, emoji: string | null): void {
    if (emoji !== null && !isReactionEmoji(emoji)) throw new ClientError(ErrorCode.BAD_USER_INPUT, 'A reaction is exactly one emoji');
    const { held, id } = this.find(messageId);
    const op: WriteOp = { kind: 'react', conversationId: held.conversationId, messageId: id, userId: this.account.viewerId, emoji };
    this.apply(op, held.segment);
  }

  /**
   * Writes a failed write again: a failed message as a new message with the same text, an
   * edit as a new version written now, other writes as they were. A write that can no longer
   * apply (its message is gone, or was deleted meanwhile: delete wins) is dropped.
   */
  retry(messageId: string): void {
    const id = parseGlobalId(messageId)?.id;
    const failed = this.account.outbox.failed().filter((f) => f.op.messageId === id);
    const send = failed.find((f) => f.op.kind === 'send');
    if (send && send.op.kind === 'send') {
      this.account.outbox.forget(failed.map((f) => f.seq));
      const { conversationId, text, replyTo, attachments } = send.op;
      const again = this.newMessageId();
      // Its files go with it: uploads not done (or refused) are tried again for the new message.
      if (attachments?.length)
        this.account.attachments.retry(
          attachments.map((a) => a.id),
          again,
        );
      this.create(conversationId, text, replyTo, attachments, again);
      return;
    }
    this.account.outbox.forget(failed.map((f) => f.seq));
    for (const f of failed) {
      const held = this.locate(f.op.messageId);
      const message = held && readMessage(messagesOf(held.doc).get(f.op.messageId));
      if (!held || !message || message.deleted) continue;
      this.apply(f.op.kind === 'edit' ? this.editOp(held, f.op.messageId, f.op.text) : f.op, held.segment);
    }
    this.account.changed();
  }

  /**
   * Removes, for everyone, the text that edits racing a deletion left on the viewer's own
   * deleted messages in `held` (or in every held document): delete wins. Called after
   * updates from elsewhere are applied; the purge is a local write, so it goes out through
   * the outbox like any other. Never throws.
   */
  purgeDeletedText(held?: HeldDoc): void {
    for (const h of held ? [held] : this.account.segments.all()) {
      if (this.account.segments.get(h.conversationId, h.segment) !== h) continue; // replaced or dropped meanwhile
      for (const key of [...h.index.leftovers]) {
        const m = readMessage(messagesOf(h.doc).get(key));
        if (!m?.deleted || m.author !== this.account.viewerId) continue;
        try {
          this.apply({ kind: 'purge', conversationId: h.conversationId, messageId: key }, h.segment);
        } catch (e) {
          console.error('Mailboat: could not remove the text left on a deleted message', e);
        }
      }
    }
  }

  /** An edit of message `id` in `held` written now: a fresh version, later than the one shown. */
  private editOp(held: HeldDoc, id: string, text: string): WriteOp {
    const now = this.now();
    const at = nextVersionAt(held.doc, id, now);
    return { kind: 'edit', conversationId: held.conversationId, messageId: id, text, versionId: uuidv7({ msecs: now }), at };
  }

  /** Forgets a failed write; a failed message's files not uploaded go with it (their bytes too). */
  dismiss(messageId: string): void {
    const id = parseGlobalId(messageId)?.id;
    const failed = this.account.outbox.failed().filter((f) => f.op.messageId === id);
    this.account.outbox.forget(failed.map((f) => f.seq));
    this.account.attachments.drop(failed.flatMap(attachmentsOf)).catch((e) => console.error('Mailboat: could not drop the files', e));
    this.account.changed();
  }

  private apply(op: WriteOp, segment: number): void {
    const held = this.account.hold(op.conversationId, segment);
    const origin = localOrigin(op);
    if (!applyOp(held.doc, op, origin)) throw new ClientError(ErrorCode.NOT_FOUND, 'That message is not on this device');
    if (origin.update) this.account.outbox.add({ conversationId: op.conversationId, segment, update: origin.update, op });
    this.account.changed(op.conversationId);
    this.afterWrite();
  }

  private locate(id: string): HeldDoc | undefined {
    return this.account.segments.all().find((h) => messagesOf(h.doc).has(id));
  }

  private find(messageId: string): { held: HeldDoc; id: string } {
    const id = parseGlobalId(messageId)?.id;
    const held = id === undefined ? undefined : this.locate(id);
    if (!id || !held) throw new ClientError(ErrorCode.NOT_FOUND, 'That message is not on this device');
    return { held, id };
  }

  private ownMessage(messageId: string): { held: HeldDoc; id: string; message: Message } {
    const found = this.find(messageId);
    const message = readMessage(messagesOf(found.held.doc).get(found.id));
    if (!message || message.id !== found.id) throw new ClientError(ErrorCode.NOT_FOUND, 'That message is not on this device');
    if (message.author !== this.account.viewerId) throw new ClientError(ErrorCode.FORBIDDEN, 'Only its author can change a message');
    if (message.deleted) throw new ClientError(ErrorCode.BAD_USER_INPUT, 'That message was deleted');
    return { ...found, message };
  }
}

/** A caption as stored: empty is fine (a message with files needs no text), else as validText. */
export function validCaption(text: string): string {
  const body = typeof text === 'string' ? normalizeMessageText(text) : '';
  return body === '' ? body : validText(body);
}

/** The text as stored (normalizeMessageText); throws ClientError BAD_USER_INPUT, saying why, when the text rules refuse it. */
function validText(text: string): string {
  const body = typeof text === 'string' ? normalizeMessageText(text) : '';
  const problem = messageTextProblem(body);
  if (problem) throw new ClientError(ErrorCode.BAD_USER_INPUT, problem.charAt(0).toUpperCase() + problem.slice(1));
  return body;
}

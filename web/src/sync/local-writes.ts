import { type HybridClock, isReactionEmoji, limits, messagesOf, readMessage, segmentOf } from '@mailboat/schema';
import { ClientError } from '../app/model.js';
import type { Account } from './account.js';
import { localOrigin } from './origins.js';
import type { HeldDoc } from './segment-store.js';
import { toDocId, toMessageId, uuidv7 } from './uuid.js';
import { applyOp, type WriteOp } from './write-ops.js';

/**
 * The viewer's writes, local-first: each is applied synchronously to its segment document
 * (origin local), its update is queued in the outbox, and listeners are notified before the
 * call returns; `afterWrite` then gets the chance to push. Invalid input throws ClientError
 * (BAD_USER_INPUT, FORBIDDEN, NOT_FOUND) and changes nothing; lack of network never throws.
 */
export class LocalWriter {
  constructor(
    private readonly account: Account,
    private readonly clock: HybridClock,
    private readonly afterWrite: () => void,
    private readonly now: () => number,
  ) {}

  send(conversationId: string, text: string, replyTo?: string): string {
    const body = validText(text);
    this.account.messages(conversationId); // lets the clock observe what the device holds
    const createdAt = this.clock.next();
    const messageId = uuidv7(this.now());
    const op: WriteOp = { kind: 'send', conversationId, messageId, author: this.account.viewerId, text: body, createdAt };
    if (replyTo) op.replyTo = toDocId(replyTo);
    this.apply(op, segmentOf(createdAt));
    return toMessageId(messageId);
  }

  edit(messageId: string, text: string): void {
    const body = validText(text);
    const { held, id } = this.ownMessage(messageId);
    this.apply({ kind: 'edit', conversationId: held.conversationId, messageId: id, text: body, editedAt: this.now() }, held.segment);
  }

  remove(messageId: string): void {
    const { held, id } = this.ownMessage(messageId);
    this.apply({ kind: 'remove', conversationId: held.conversationId, messageId: id }, held.segment);
  }

  react(messageId: string, emoji: string | null): void {
    if (emoji !== null && !isReactionEmoji(emoji)) throw new ClientError('BAD_USER_INPUT', 'A reaction is exactly one emoji');
    const { held, id } = this.find(messageId);
    const op: WriteOp = { kind: 'react', conversationId: held.conversationId, messageId: id, userId: this.account.viewerId, emoji };
    this.apply(op, held.segment);
  }

  /** Writes a failed write again: a failed message as a new message with the same text; other writes as they were. */
  retry(messageId: string): void {
    const failed = this.account.outbox.failed().filter((f) => f.op.messageId === toDocId(messageId));
    const send = failed.find((f) => f.op.kind === 'send');
    if (send && send.op.kind === 'send') {
      this.account.outbox.forget(failed.map((f) => f.seq));
      this.send(send.op.conversationId, send.op.text, send.op.replyTo && toMessageId(send.op.replyTo));
      return;
    }
    this.account.outbox.forget(failed.map((f) => f.seq));
    for (const f of failed) {
      const held = this.locate(f.op.messageId);
      if (held) this.apply({ ...f.op, ...(f.op.kind === 'edit' ? { editedAt: this.now() } : {}) }, held.segment);
    }
    this.account.changed();
  }

  dismiss(messageId: string): void {
    const failed = this.account.outbox.failed().filter((f) => f.op.messageId === toDocId(messageId));
    this.account.outbox.forget(failed.map((f) => f.seq));
    this.account.changed();
  }

  private apply(op: WriteOp, segment: number): void {
    const held = this.account.hold(op.conversationId, segment);
    const origin = localOrigin(op);
    if (!applyOp(held.doc, op, origin)) throw new ClientError('NOT_FOUND', 'That message is not on this device');
    if (origin.update) this.account.outbox.add({ conversationId: op.conversationId, segment, update: origin.update, op });
    this.account.changed(op.conversationId);
    this.afterWrite();
  }

  private locate(id: string): HeldDoc | undefined {
    return this.account.segments.all().find((h) => messagesOf(h.doc).has(id));
  }

  private find(messageId: string): { held: HeldDoc; id: string } {
    const id = toDocId(messageId);
    const held = this.locate(id);
    if (!held) throw new ClientError('NOT_FOUND', 'That message is not on this device');
    return { held, id };
  }

  private ownMessage(messageId: string): { held: HeldDoc; id: string } {
    const found = this.find(messageId);
    const map = messagesOf(found.held.doc).get(found.id);
    const message = map && readMessage(map);
    if (!message) throw new ClientError('NOT_FOUND', 'That message is not on this device');
    if (message.author !== this.account.viewerId) throw new ClientError('FORBIDDEN', 'Only its author can change a message');
    if (message.deleted) throw new ClientError('BAD_USER_INPUT', 'That message was deleted');
    return found;
  }
}

function validText(text: string): string {
  const body = text.trim();
  if (body.length === 0) throw new ClientError('BAD_USER_INPUT', 'Write something first');
  if (body.length > limits.messageText.max) throw new ClientError('BAD_USER_INPUT', `At most ${limits.messageText.max} characters`);
  return body;
}

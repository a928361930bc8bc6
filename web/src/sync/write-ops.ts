import {
  type AttachmentRef,
  createMessage,
  deleteMessage,
  editMessage,
  messagesOf,
  nextVersionAt,
  purgeDeletedText,
  readMessage,
  setReaction,
  versionKey,
} from '@mailboat/schema';
import { v7 as uuidv7 } from 'uuid';
import type * as Y from 'yjs';

/**
 * A local write as intent. The outbox keeps it next to the Yjs update it produced, so a
 * write can be told apart in the UI (pending / failed) and re-applied to a rebuilt document
 * after a refusal rolled back a write it was queued behind. Message ids are dashed UUIDs.
 *
 * An edit adds one version of the text (schema/src/doc/model.ts): `versionId` is a fresh
 * UUID v7 and `at` its stamp from nextVersionAt. An edit queued by an app released before
 * versions existed carries `editedAt` instead (LegacyEditOp); it is still applied correctly.
 * `purge` removes the text an edit that raced the message's deletion left on it.
 */
export type WriteOp =
  | SendOp
  | EditOp
  | LegacyEditOp
  | { kind: 'remove'; conversationId: string; messageId: string }
  | { kind: 'purge'; conversationId: string; messageId: string }
  | { kind: 'react'; conversationId: string; messageId: string; userId: string; emoji: string | null };

/** A new message; `attachments` (its files' refs) only when it has some, and then `text` may be empty. */
export type SendOp = {
  kind: 'send';
  conversationId: string;
  messageId: string;
  author: string;
  text: string;
  createdAt: number;
  replyTo?: string;
  attachments?: AttachmentRef[];
};

export type EditOp = { kind: 'edit'; conversationId: string; messageId: string; text: string; versionId: string; at: number };
/** An edit as the app queued it before message versions (contract v1): the whole new text, and when. */
export type LegacyEditOp = { kind: 'edit'; conversationId: string; messageId: string; text: string; editedAt: number };

/**
 * The edit `op` as written now to `doc`: itself when it names its version; for a legacy
 * edit, a fresh version dated no earlier than its `editedAt` and later than the version
 * `doc` shows (so it still replaces the text its writer saw).
 */
export function withVersion(doc: Y.Doc, op: EditOp | LegacyEditOp): EditOp {
  if ('versionId' in op && typeof op.versionId === 'string' && Number.isSafeInteger(op.at)) return op;
  const { kind, conversationId, messageId, text } = op;
  const editedAt = 'editedAt' in op && Number.isSafeInteger(op.editedAt) ? op.editedAt : 0;
  return { kind, conversationId, messageId, text, versionId: uuidv7({ msecs: editedAt }), at: nextVersionAt(doc, messageId, editedAt) };
}

/**
 * Applies `op` to `doc` in one transaction with `origin`. Returns false (changing nothing)
 * when the op cannot apply: the message it changes is not a valid message of the document,
 * or a message it creates is already there. True with no change made when there is nothing
 * to write: the document already holds the op's version or has no text left to purge, or
 * the message an edit changes is deleted (delete wins). A legacy edit is given its version
 * first (withVersion).
 */
export function applyOp(doc: Y.Doc, op: WriteOp, origin: unknown): boolean {
  if (op.kind === 'send') {
    if (messagesOf(doc).has(op.messageId)) return false;
    const { messageId: id, author, createdAt, text, replyTo, attachments } = op;
    createMessage(
      doc,
      { id, author, createdAt, text, ...(replyTo ? { replyTo } : {}), ...(attachments?.length ? { attachments } : {}) },
      origin,
    );
    return true;
  }
  const message = readMessage(messagesOf(doc).get(op.messageId));
  if (!message || message.id !== op.messageId) return false;
  switch (op.kind) {
    case 'edit': {
      if (message.deleted) return true;
      const edit = withVersion(doc, op);
      if (messagesOf(doc).get(op.messageId)?.has(versionKey(edit.versionId))) return true;
      editMessage(doc, op.messageId, edit.text, edit.at, edit.versionId, origin);
      return true;
    }
    case 'remove':
      deleteMessage(doc, op.messageId, origin);
      return true;
    case 'purge':
      purgeDeletedText(doc, op.messageId, origin);
      return true;
    case 'react':
      setReaction(doc, op.messageId, op.userId, op.emoji, origin);
      return true;
  }
}

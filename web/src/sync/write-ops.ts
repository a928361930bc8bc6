import { createMessage, deleteMessage, editMessage, messagesOf, setReaction } from '@mailboat/schema';
import type * as Y from 'yjs';

/**
 * A local write as intent. The outbox keeps it next to the Yjs update it produced, so a
 * write can be told apart in the UI (pending / failed) and re-applied to a rebuilt document
 * after a refusal rolled back a write it was queued behind. Message ids are dashed UUIDs.
 */
export type WriteOp =
  | { kind: 'send'; conversationId: string; messageId: string; author: string; text: string; createdAt: number; replyTo?: string }
  | { kind: 'edit'; conversationId: string; messageId: string; text: string; editedAt: number }
  | { kind: 'remove'; conversationId: string; messageId: string }
  | { kind: 'react'; conversationId: string; messageId: string; userId: string; emoji: string | null };

/**
 * Applies `op` to `doc` in one transaction with `origin`. Returns false (changing nothing)
 * when the op cannot apply: the message it changes is not in the document, or a message
 * it creates is already there.
 */
export function applyOp(doc: Y.Doc, op: WriteOp, origin: unknown): boolean {
  const exists = messagesOf(doc).has(op.messageId);
  switch (op.kind) {
    case 'send':
      if (exists) return false;
      createMessage(
        doc,
        { id: op.messageId, author: op.author, createdAt: op.createdAt, text: op.text, ...(op.replyTo ? { replyTo: op.replyTo } : {}) },
        origin,
      );
      return true;
    case 'edit':
      if (!exists) return false;
      editMessage(doc, op.messageId, op.text, op.editedAt, origin);
      return true;
    case 'remove':
      if (!exists) return false;
      deleteMessage(doc, op.messageId, origin);
      return true;
    case 'react':
      if (!exists) return false;
      setReaction(doc, op.messageId, op.userId, op.emoji, origin);
      return true;
  }
}

import type { ChatMessage } from '../app/model.js';

/** True when two snapshots of a message render the same (snapshots may be rebuilt on any change). */
export function sameMessage(a: ChatMessage, b: ChatMessage): boolean {
  if (a === b) return true;
  return (
    a.id === b.id &&
    a.text === b.text &&
    a.deleted === b.deleted &&
    a.editedAt === b.editedAt &&
    a.createdAt === b.createdAt &&
    a.tick === b.tick &&
    a.replyTo === b.replyTo &&
    a.mine === b.mine &&
    a.author.displayName === b.author.displayName &&
    a.failure?.message === b.failure?.message &&
    a.failure?.retryable === b.failure?.retryable &&
    a.reactions.length === b.reactions.length &&
    a.reactions.every((r, i) => r.userId === b.reactions[i]?.userId && r.emoji === b.reactions[i]?.emoji)
  );
}

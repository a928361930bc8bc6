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
    a.reactions.every((r, i) => r.userId === b.reactions[i]?.userId && r.emoji === b.reactions[i]?.emoji) &&
    sameVersions(a.versions, b.versions)
  );
}

/** Versions are written once and never change: the same ids in the same order are the same history. */
function sameVersions(a: ChatMessage['versions'] | undefined, b: ChatMessage['versions'] | undefined): boolean {
  if (a === b) return true;
  if (!a || !b || a.length !== b.length) return false;
  return a.every((v, i) => v.id === b[i]?.id && v.at === b[i]?.at);
}

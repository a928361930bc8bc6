import type { TrayFile } from './file-choice.js';

/**
 * Unsent composer text per (user, conversation), kept in memory for as long as the app runs,
 * so switching conversations or going back to the list does not lose what was being typed.
 * Keyed by user too: another account signed in on the same tab never sees it.
 */
const drafts = new Map<string, string>();

const keyOf = (userId: string, conversationId: string) => `${userId} ${conversationId}`;

export const readDraft = (userId: string, conversationId: string): string => drafts.get(keyOf(userId, conversationId)) ?? '';

export function keepDraft(userId: string, conversationId: string, text: string): void {
  if (text === '') drafts.delete(keyOf(userId, conversationId));
  else drafts.set(keyOf(userId, conversationId), text);
}

/** Files chosen but not sent yet, per (user, conversation), like the text: kept while the app runs. */
const fileDrafts = new Map<string, readonly TrayFile[]>();

export const readFileDraft = (userId: string, conversationId: string): readonly TrayFile[] =>
  fileDrafts.get(keyOf(userId, conversationId)) ?? [];

export function keepFileDraft(userId: string, conversationId: string, files: readonly TrayFile[]): void {
  if (files.length === 0) fileDrafts.delete(keyOf(userId, conversationId));
  else fileDrafts.set(keyOf(userId, conversationId), files);
}

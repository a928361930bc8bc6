import type { AppDeps } from '../context.js';
import { type ConversationWithRole, getConversation } from '../conversations/conversations-service.js';
import type { MessageRow } from '../db/tables.js';
import type { Viewer } from '../viewer.js';
import { findMessage, findMessagesByIds, listConversationMessages, type MessageKey } from './messages-query-repository.js';

// Reads of the messages projection for resolvers (the plain messages of Yjs documents, see
// messages-query-repository.ts). Only members of a conversation see its messages.

export type { MessageKey } from './messages-query-repository.js';

/** The message if the viewer is a member of its conversation; undefined otherwise. */
export async function getMessage(deps: AppDeps, viewer: Viewer, id: string): Promise<MessageRow | undefined> {
  const row = await findMessage(deps.db, id);
  return row && (await getConversation(deps, viewer, row.conversation_id)) ? row : undefined;
}

/** The messages with these ids, whoever may see them (unknown ones left out): callers check membership of their conversations. */
export function messagesByIds(deps: AppDeps, ids: readonly string[]): Promise<MessageRow[]> {
  return findMessagesByIds(deps.db, ids);
}

/**
 * A page of a conversation's messages in display order (createdAt, then id), deleted ones
 * included; `inverted` reads from the newest end. `conversation` is one the viewer was shown
 * (getConversation).
 */
export function listMessages(
  deps: AppDeps,
  conversation: ConversationWithRole,
  page: { after?: MessageKey; before?: MessageKey; limit: number; inverted: boolean },
): Promise<MessageRow[]> {
  return listConversationMessages(deps.db, conversation.id, page);
}

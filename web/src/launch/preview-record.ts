import type { ChatMessage, ConversationSummary, ConversationView } from '../app/model.js';

/** Rows kept per conversation: the newest ones, enough to fill a tall screen. */
export const PREVIEW_ROWS = 60;
/** Conversations whose rows are kept: the ones the screens read most recently. */
export const PREVIEW_CONVERSATIONS = 5;

/**
 * What the screens showed last, as plain data, so that the next launch can show it (the
 * preview, see preview.ts) before the segment documents have loaded. Never the source of
 * truth: it may be a little behind what the documents hold, and the real snapshots replace it
 * as soon as the account is open. Kept in the account's own database, so sign-out wipes it.
 */
export type PreviewRecord = {
  /** How many messages the held documents had when this was written (how long they take to load). */
  heldMessages: number;
  summaries: ConversationSummary[];
  /** The newest rows of the conversations read most recently, most recent first. */
  views: { conversationId: string; messages: ChatMessage[]; hasOlder: boolean }[];
};

/** The PreviewRecord of the given snapshots. */
export function buildPreviewRecord(
  heldMessages: number,
  summaries: ConversationSummary[],
  views: { conversationId: string; view: ConversationView }[],
): PreviewRecord {
  return {
    heldMessages,
    summaries,
    views: views.map(({ conversationId, view }) => ({
      conversationId,
      messages: view.messages.slice(-PREVIEW_ROWS),
      hasOlder: view.hasOlder || view.messages.length > PREVIEW_ROWS,
    })),
  };
}

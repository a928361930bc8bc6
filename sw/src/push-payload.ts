import { parseGlobalId } from '@mailboat/schema';

/** What a notification shows, read from a push (the contract's payload, version 1). */
export type PushNotice = {
  /** The conversation the push is about; null for a push that named none Mailboat can use. */
  conversationId: string | null;
  title: string;
  body: string;
  /** Messages it stands for (a burst collapses into one notification). */
  count: number;
  /** Unread conversations, for the app badge; null when the push did not say. */
  unreadConversations: number | null;
  /** When the newest message was sent (epoch ms), or null. */
  sentAt: number | null;
};

/** Shown for a push with no usable payload: browsers require every push to show something (userVisibleOnly). */
export const GENERIC_NOTICE: PushNotice = Object.freeze({
  conversationId: null,
  title: 'Mailboat',
  body: 'New message',
  count: 1,
  unreadConversations: null,
  sentAt: null,
});

const MAX_TITLE = 200;
const MAX_BODY = 1000;

/**
 * Reads a push's data as the server's payload (JSON `{ v: 1, kind: 'message', conversationId,
 * title, body, count, unreadConversations, sentAt, … }`). Anything else — no data, not JSON,
 * another version or kind, a conversation id that is not one — gives GENERIC_NOTICE; fields
 * of the wrong type fall back to defaults, and long strings are cut. Never throws.
 */
export function readPushNotice(data: { text(): string } | null | undefined): PushNotice {
  let raw: unknown;
  try {
    raw = data ? JSON.parse(data.text()) : null;
  } catch {
    return GENERIC_NOTICE;
  }
  if (typeof raw !== 'object' || raw === null) return GENERIC_NOTICE;
  const p = raw as Record<string, unknown>;
  if (p.v !== 1 || p.kind !== 'message' || typeof p.conversationId !== 'string') return GENERIC_NOTICE;
  if (parseGlobalId(p.conversationId)?.typename !== 'Conversation') return GENERIC_NOTICE;
  return {
    conversationId: p.conversationId,
    title: text(p.title, MAX_TITLE) ?? GENERIC_NOTICE.title,
    body: text(p.body, MAX_BODY) ?? GENERIC_NOTICE.body,
    count: count(p.count, 1) ?? 1,
    unreadConversations: count(p.unreadConversations, 0),
    sentAt: typeof p.sentAt === 'number' && Number.isFinite(p.sentAt) && p.sentAt > 0 ? p.sentAt : null,
  };
}

function text(value: unknown, max: number): string | null {
  if (typeof value !== 'string') return null;
  const trimmed = value.trim();
  if (!trimmed) return null;
  return trimmed.length > max ? `${trimmed.slice(0, max - 1)}…` : trimmed;
}

function count(value: unknown, min: number): number | null {
  return typeof value === 'number' && Number.isInteger(value) && value >= min && value < 1_000_000 ? value : null;
}

import { compareMessages, parseGlobalId } from '@mailboat/schema';
import type { Position, Watermark } from './records.js';

/** Display-order comparison of positions; null is before every message. */
export function comparePositions(a: Position | null, b: Position | null): number {
  if (a === null || b === null) return a === b ? 0 : a === null ? -1 : 1;
  return compareMessages({ createdAt: a.at, id: a.id }, { createdAt: b.at, id: b.id });
}

/** The later of two positions. */
export const laterOf = (a: Position | null, b: Position | null): Position | null => (comparePositions(a, b) >= 0 ? a : b);

/** A watermark from the API's (upTo message ID, its createdAt as DateTime); null when unset (or not a global ID). */
export function positionFromApi(upTo: string | null | undefined, at: string | null | undefined): Position | null {
  const id = upTo ? parseGlobalId(upTo)?.id : undefined;
  if (!id || !at) return null;
  return { at: Date.parse(at), id };
}

/**
 * An acknowledged own message's tick, judged against the other current members' watermarks
 * (the same rule as the API's aggregateStatus): read once all of them have read it,
 * delivered once all have it delivered (reading implies delivery), else sent; sent when
 * nobody else is in the conversation.
 */
export function tickFromReceipts(message: Position, authorId: string, members: Watermark[]): 'sent' | 'delivered' | 'read' {
  const others = members.filter((m) => m.userId !== authorId);
  if (others.length === 0) return 'sent';
  if (others.every((m) => comparePositions(m.read, message) >= 0)) return 'read';
  if (others.every((m) => comparePositions(laterOf(m.delivered, m.read), message) >= 0)) return 'delivered';
  return 'sent';
}

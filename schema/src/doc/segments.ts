/**
 * A conversation's history is split into segment documents by the hour of each message's
 * createdAt (UTC). Any writer, online or not, computes a message's segment from the message
 * alone, so offline writers need no coordination; a message and every later change to it
 * (edits, reactions, deletion) live in the same segment; and a device pages back through
 * history one segment at a time, newest first. An hour bounds what one document holds in
 * all but extreme conversations (a live doc costs ~2.5 KB of heap per message).
 */
export const SEGMENT_MS = 60 * 60 * 1000;

/** The segment number (hours since the epoch) of a message created at `createdAt` ms. */
export function segmentOf(createdAt: number): number {
  return Math.floor(createdAt / SEGMENT_MS);
}

/** The first millisecond of a segment. */
export function segmentStart(segment: number): number {
  return segment * SEGMENT_MS;
}

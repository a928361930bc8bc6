import { limits } from '@mailboat/schema';
import * as Y from 'yjs';
import type { OutboxEntry } from './records.js';

/** A segment with more queued updates than this is pushed as one merged update, when merging is asked for. */
const COALESCE_OVER = 20;
/** Y.mergeUpdates is superlinear: merge in chunks of this many. */
const MERGE_CHUNK = 1000;

/** One update to push, and the queued writes it carries (one, or a segment's merged backlog). */
export type PushItem = { conversationId: string; segment: number; update: Uint8Array; entries: OutboxEntry[] };

/** The key of a write's or an item's segment, for grouping by segment. */
export const segmentKey = (s: { conversationId: string; segment: number }): string => `${s.conversationId}#${s.segment}`;

/**
 * The push items for `entries` (given in write order), keeping write order within each
 * segment. Without `coalesce` each write is its own item, in write order. With it, items are
 * grouped by segment (segments in the order of their first write), and a segment with a
 * backlog of more than COALESCE_OVER writes is pushed as one merged update when that fits
 * limits.updateBytes; such an item stands or falls as a whole. Segments in `apart` (by
 * segmentKey) are never merged: each of their writes is its own item.
 */
export function planPush(entries: OutboxEntry[], coalesce: boolean, apart: ReadonlySet<string> = new Set()): PushItem[] {
  if (!coalesce) return entries.map(itemOf);
  const bySegment = new Map<string, OutboxEntry[]>();
  for (const e of entries) bySegment.set(segmentKey(e), [...(bySegment.get(segmentKey(e)) ?? []), e]);
  const items: PushItem[] = [];
  for (const group of bySegment.values()) {
    const mergeable = group.length > COALESCE_OVER && !apart.has(segmentKey(group[0] as OutboxEntry));
    const merged = mergeable ? mergeInChunks(group.map((e) => e.update)) : null;
    if (merged && merged.byteLength <= limits.updateBytes.max) {
      const { conversationId, segment } = group[0] as OutboxEntry;
      items.push({ conversationId, segment, update: merged, entries: group });
    } else {
      items.push(...group.map(itemOf));
    }
  }
  return items;
}

const itemOf = (e: OutboxEntry): PushItem => ({ conversationId: e.conversationId, segment: e.segment, update: e.update, entries: [e] });

function mergeInChunks(updates: Uint8Array[]): Uint8Array {
  let list = updates;
  while (list.length > 1) {
    const next: Uint8Array[] = [];
    for (let i = 0; i < list.length; i += MERGE_CHUNK) next.push(Y.mergeUpdates(list.slice(i, i + MERGE_CHUNK)));
    list = next;
  }
  return list[0] as Uint8Array;
}

import { limits } from '@mailboat/schema';
import * as Y from 'yjs';
import { decodeBytes, encodeBytes } from './bytes.js';
import type { SyncContext } from './context.js';
import { PUSH_UPDATES } from './operations.js';
import type { OutboxEntry } from './records.js';
import { type PushError, refusalFailure } from './refusal.js';
import { adoptReplayed } from './replayed.js';
import { rollBack } from './rollback.js';

/** A segment with more queued updates than this is pushed as one merged update. */
const COALESCE_OVER = 20;
/** Y.mergeUpdates is superlinear: merge in chunks of this many. */
const MERGE_CHUNK = 1000;

type PushItem = { conversationId: string; segment: number; update: Uint8Array; entries: OutboxEntry[] };
type PushResult = { status: 'ACCEPTED' | 'DUPLICATE' | 'REFUSED'; error: PushError | null };

/**
 * Pushes the outbox until it is empty or nothing more can be done now. ACCEPTED and
 * DUPLICATE entries leave the outbox; MISSING_DEPENDENCIES is answered by pushing what the
 * server lacks (the document's state diffed against the server's state vector); any other
 * refusal rolls the write back (rollback.ts). What the service worker replayed meanwhile is
 * taken in first (replayed.ts). Rejects on a network error with the entries still queued.
 * Callers must not run two flushes at once, and must hold the outbox lock (outbox-lock.ts).
 */
export async function flushOutbox(ctx: SyncContext): Promise<void> {
  const outbox = ctx.account.outbox;
  await adoptReplayed(ctx);
  for (;;) {
    const items = plan(outbox.list()).slice(0, limits.pushUpdates.max);
    if (items.length === 0) return;
    const results = await push(ctx, items);
    let progress = false;
    const refused = new Map<string, { item: PushItem; error: PushError | null }>();
    const missing = new Map<string, { item: PushItem; stateVector: string }>();
    items.forEach((item, i) => {
      const r = results[i];
      const key = `${item.conversationId}#${item.segment}`;
      if (!r) return;
      if (r.status !== 'REFUSED') {
        outbox.remove(item.entries.map((e) => e.seq));
        progress = true;
      } else if (r.error?.code === 'MISSING_DEPENDENCIES' && r.error.stateVector) {
        if (!missing.has(key)) missing.set(key, { item, stateVector: r.error.stateVector });
      } else if (!refused.has(key)) {
        refused.set(key, { item, error: r.error });
      }
    });
    for (const { item, error } of refused.values()) {
      await rollBack(ctx, item.entries, refusalFailure(error));
      progress = true;
    }
    for (const [key, { item, stateVector }] of missing) {
      if (refused.has(key)) continue;
      if (await repair(ctx, item, stateVector)) progress = true;
    }
    if (!progress) return;
  }
}

/** The push items for `entries`, in write order per segment; large backlogs of a segment are merged. */
function plan(entries: OutboxEntry[]): PushItem[] {
  const bySegment = new Map<string, OutboxEntry[]>();
  for (const e of entries) {
    const key = `${e.conversationId}#${e.segment}`;
    bySegment.set(key, [...(bySegment.get(key) ?? []), e]);
  }
  const items: PushItem[] = [];
  for (const group of bySegment.values()) {
    const { conversationId, segment } = group[0] as OutboxEntry;
    if (group.length > COALESCE_OVER) {
      const merged = mergeInChunks(group.map((e) => e.update));
      if (merged.byteLength <= limits.updateBytes.max) {
        items.push({ conversationId, segment, update: merged, entries: group });
        continue;
      }
    }
    for (const e of group) items.push({ conversationId, segment, update: e.update, entries: [e] });
  }
  return items;
}

function mergeInChunks(updates: Uint8Array[]): Uint8Array {
  let list = updates;
  while (list.length > 1) {
    const next: Uint8Array[] = [];
    for (let i = 0; i < list.length; i += MERGE_CHUNK) next.push(Y.mergeUpdates(list.slice(i, i + MERGE_CHUNK)));
    list = next;
  }
  return list[0] as Uint8Array;
}

async function push(ctx: SyncContext, items: Pick<PushItem, 'conversationId' | 'segment' | 'update'>[]): Promise<PushResult[]> {
  const data = await ctx.api.run<{ pushUpdates: { results: PushResult[] } }>(PUSH_UPDATES, {
    updates: items.map((i) => ({ conversationId: i.conversationId, segment: i.segment, update: encodeBytes(i.update) })),
  });
  return data.pushUpdates.results;
}

/**
 * Answers MISSING_DEPENDENCIES: pushes everything the segment's document has beyond the
 * server's state vector, which covers every entry queued for it so far. Returns whether the
 * outbox changed.
 */
async function repair(ctx: SyncContext, item: PushItem, stateVector: string): Promise<boolean> {
  const { conversationId, segment } = item;
  const outbox = ctx.account.outbox;
  const held = ctx.account.segments.get(conversationId, segment);
  const covered = outbox.list(conversationId, segment);
  if (!held) {
    await rollBack(ctx, covered, { code: 'NOT_FOUND', message: 'This conversation is no longer on the device', retryable: false });
    return true;
  }
  const update = Y.encodeStateAsUpdate(held.doc, decodeBytes(stateVector));
  const [r] = await push(ctx, [{ conversationId, segment, update }]);
  if (!r) return false;
  if (r.status !== 'REFUSED') {
    outbox.remove(covered.map((e) => e.seq));
    return covered.length > 0;
  }
  if (r.error?.code === 'MISSING_DEPENDENCIES') return false;
  await rollBack(ctx, covered, { ...refusalFailure(r.error), retryable: false });
  return true;
}

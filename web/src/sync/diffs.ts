import { ErrorCode } from '@mailboat/schema';
import * as Y from 'yjs';
import { ClientError } from '../app/model.js';
import { decodeBytes, encodeBytes } from './bytes.js';
import type { SyncContext } from './context.js';
import { SEGMENT_DIFFS } from './operations.js';
import { REMOTE } from './origins.js';
import type { HeldSegment } from './records.js';

/** segmentDiffs takes at most this many segments per request. */
const BATCH = 100;

/**
 * Brings held segments up to the server's state: sends each document's state vector and
 * applies exactly the missing part (origin remote). Segments not held yet are held first.
 * A conversation the viewer is no longer in (NOT_FOUND) is dropped from the device.
 */
export async function pullDiffs(ctx: SyncContext, segments: HeldSegment[]): Promise<void> {
  const unique = [...new Map(segments.map((s) => [`${s.conversationId}#${s.segment}`, s])).values()];
  for (let i = 0; i < unique.length; i += BATCH) {
    const batch = unique.slice(i, i + BATCH);
    try {
      await pullBatch(ctx, batch);
    } catch (e) {
      if (!(e instanceof ClientError) || e.code !== ErrorCode.NOT_FOUND) throw e;
      for (const conversationId of new Set(batch.map((s) => s.conversationId))) {
        try {
          await pullBatch(
            ctx,
            batch.filter((s) => s.conversationId === conversationId),
          );
        } catch (inner) {
          if (!(inner instanceof ClientError) || inner.code !== ErrorCode.NOT_FOUND) throw inner;
          await ctx.account.dropConversation(conversationId);
        }
      }
    }
  }
}

async function pullBatch(ctx: SyncContext, batch: HeldSegment[]): Promise<void> {
  const held = batch.map((s) => ctx.account.hold(s.conversationId, s.segment));
  await Promise.all(held.map((h) => h.loaded));
  const data = await ctx.api.query(SEGMENT_DIFFS, {
    segments: held.map((h) => ({
      conversationId: h.conversationId,
      segment: h.segment,
      stateVector: encodeBytes(Y.encodeStateVector(h.doc)),
    })),
  });
  for (const diff of data.segmentDiffs) {
    const target = ctx.account.segments.get(diff.conversationId, diff.segment);
    if (!target) continue;
    const update = decodeBytes(diff.update);
    const before = Y.encodeStateVector(target.doc);
    Y.applyUpdate(target.doc, update, REMOTE);
    if (!equalBytes(before, Y.encodeStateVector(target.doc))) ctx.received(diff.conversationId);
  }
}

const equalBytes = (a: Uint8Array, b: Uint8Array) => a.length === b.length && a.every((x, i) => x === b[i]);

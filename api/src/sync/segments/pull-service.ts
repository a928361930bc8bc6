import * as Y from 'yjs';
import type { AppDeps } from '../../context.js';
import { findMembership } from '../../conversations/conversations-repository.js';
import type { ConversationWithRole } from '../../conversations/conversations-service.js';
import { badInput, notFound } from '../../errors.js';
import type { Viewer } from '../../viewer.js';
import { listSegments, type SegmentKey } from './segments-repository.js';

export type DiffRequest = SegmentKey & { stateVector?: Uint8Array | null };
export type SegmentDiff = SegmentKey & { update: Uint8Array; stateVector: Uint8Array };

/**
 * For each requested segment, exactly what a device with that state vector is missing
 * (everything, without one), and the server's state vector. Only members may ask; a
 * malformed state vector is BAD_USER_INPUT. Reads committed state only.
 */
export async function diffSegments(deps: AppDeps, viewer: Viewer, requests: DiffRequest[]): Promise<SegmentDiff[]> {
  for (const id of new Set(requests.map((r) => r.conversationId))) {
    if (!(await findMembership(deps.db, id, viewer.userId))) throw notFound('Conversation');
  }
  const out: SegmentDiff[] = [];
  for (const request of requests) {
    const key = { conversationId: request.conversationId, segment: request.segment };
    const diff = await deps.segments.withSegments([key], async () => {
      const { doc } = await deps.segments.open(deps.db, key);
      let update: Uint8Array;
      try {
        update = Y.encodeStateAsUpdate(doc, request.stateVector ?? undefined);
      } catch {
        throw badInput('stateVector', 'Not a Yjs state vector');
      }
      return { ...key, update, stateVector: Y.encodeStateVector(doc) };
    });
    out.push(diff);
  }
  return out;
}

/**
 * A conversation's segments that hold messages, newest first (those before segment `before`,
 * at most `limit`), with how many messages each holds. `conversation` is one the viewer was
 * shown (getConversation).
 */
export function listConversationSegments(
  deps: AppDeps,
  conversation: ConversationWithRole,
  page: { before?: number; limit: number },
): Promise<{ segment: number; messages: number }[]> {
  return listSegments(deps.db, conversation.id, page);
}

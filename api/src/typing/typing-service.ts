import type { AppDeps } from '../context.js';
import { listMemberIds } from '../conversations/conversations-repository.js';
import { notFound } from '../errors.js';
import { publishToUsers } from '../events/pubsub.js';
import type { Viewer } from '../viewer.js';

// Rules: typing indicators are ephemeral: never stored, published over the events stream to
// the conversation's other members only (never to the typer's own devices), stamped with
// the viewer's own user. Only members may send one (NOT_FOUND otherwise, as for reading).
// A typing:true expires by itself after TYPING_EXPIRES_MS unless renewed; typing:false
// clears it at once. Paced per device by AppDeps.typing (typing-throttle.ts).

/** How long clients show "is typing" after a typing:true, unless another arrives. */
export const TYPING_EXPIRES_MS = 6000;

/**
 * Announces that the viewer is (or stopped) typing in the conversation. Returns true when
 * accepted, published or not (a typing:true repeated within the pacing interval is not sent
 * again). Throws NOT_FOUND for a conversation the viewer is not in, RATE_LIMITED past the
 * device's budget of calls.
 */
export async function setTyping(deps: AppDeps, viewer: Viewer, conversationId: string, typing: boolean): Promise<boolean> {
  const now = Date.now();
  if (!deps.typing.admit(viewer.deviceId, conversationId, typing, now)) return true;
  const memberIds = await listMemberIds(deps.db, conversationId);
  if (!memberIds.includes(viewer.userId)) throw notFound('Conversation');
  deps.typing.recordPublished(viewer.deviceId, conversationId, typing, now);
  const others = memberIds.filter((id) => id !== viewer.userId);
  publishToUsers(deps.pubsub, others, {
    kind: 'typing',
    conversationId,
    userId: viewer.userId,
    typing,
    expiresAt: typing ? now + TYPING_EXPIRES_MS : now,
  });
  return true;
}

import type { Db } from '../db/connect.js';
import { type PubSub, publishToUsers } from '../events/pubsub.js';
import { type Flip, findPresenceAudience } from './presence-repository.js';

/**
 * Publishes each flip of a user's announced presence (presence-repository.ts) as a `presence`
 * event to the users allowed to see it: those sharing a conversation with them, both sharing
 * presence (one query for all the flips), in the order given. The tracker calls it after
 * each flip; it needs no AppDeps, so the tracker (part of AppDeps) can use it.
 */
export async function announcePresence(deps: { db: Db; pubsub: PubSub }, flips: readonly Flip[]): Promise<void> {
  if (flips.length === 0) return;
  const audience = await findPresenceAudience(
    deps.db,
    flips.map((f) => f.userId),
  );
  const viewersOf = new Map<string, string[]>();
  for (const { subject, viewer } of audience) {
    const viewers = viewersOf.get(subject);
    if (viewers) viewers.push(viewer);
    else viewersOf.set(subject, [viewer]);
  }
  for (const flip of flips) {
    const viewers = viewersOf.get(flip.userId);
    if (!viewers) continue;
    publishToUsers(deps.pubsub, viewers, {
      kind: 'presence',
      userId: flip.userId,
      online: flip.online,
      lastSeenAt: flip.online || !flip.lastSeenAt ? null : flip.lastSeenAt.getTime(),
    });
  }
}

import type { AppDeps } from '../context.js';
import { findVisiblePresence } from './presence-repository.js';

// Rules: a user is online while one of their devices holds an `events` stream on any node,
// else "last seen" at the time the last one ended. Only people sharing a conversation with
// them see it, and only while both share presence (users.share_presence): hiding yours also
// hides everyone else's from you. Nobody sees their own. Never part of the CRDT documents.
// The tracker (presence-tracker.ts) keeps the rows; presence-announcer.ts publishes changes.

/** What a viewer sees of a user: online, or offline since lastSeenAt (null: never seen online). */
export type Presence = { online: boolean; lastSeenAt: Date | null };

/**
 * The presence of each of `userIds` as `viewerId` may see it, in order: null when hidden (see
 * the rules above). One query, whatever the number of users.
 */
export async function presenceOf(deps: AppDeps, viewerId: string, userIds: readonly string[]): Promise<(Presence | null)[]> {
  const rows = await findVisiblePresence(deps.db, viewerId, [...new Set(userIds)]);
  const byId = new Map(rows.map((r) => [r.userId, { online: r.online, lastSeenAt: r.lastSeenAt }]));
  return userIds.map((id) => byId.get(id) ?? null);
}

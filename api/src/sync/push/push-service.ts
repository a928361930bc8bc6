import { limits } from '@mailboat/schema';
import type { AppDeps } from '../../context.js';
import { badInput } from '../../errors.js';
import { publishToUsers } from '../../events/pubsub.js';
import type { Viewer } from '../../viewer.js';
import { GroupCommitter, isTransientDbError } from './group-commit.js';
import { commitGroup, type PushDeps } from './push-group.js';
import { listMembersOf } from './push-repository.js';
import type { AcceptedUpdate, PushCommitter, PushItem, PushOutcome } from './push-types.js';

export type { PushItem, PushOutcome } from './push-types.js';

/** Updates one group commit takes at most (a single larger push still goes alone). */
export const GROUP_MAX_UPDATES = 2000;
/** Group commits running at once per process. */
export const GROUP_CONCURRENCY = 2;

/**
 * Authorizes and stores a batch of Yjs updates from the viewer's device; answers only after
 * everything accepted has committed. Each update gets its own outcome: refused updates
 * (non-member, forbidden by the write rules, malformed, missing dependencies) store nothing
 * and do not stop the others; a duplicate stores nothing. Accepted updates are published to
 * the conversation's members after the commit.
 *
 * Concurrent pushes share transactions (group commit, see group-commit.ts and push-group.ts):
 * each gets the outcomes it would have had running alone after the pushes before it, and a
 * push that makes its group fail (a database error) fails alone.
 */
export async function pushUpdates(deps: AppDeps, viewer: Viewer, items: PushItem[]): Promise<PushOutcome[]> {
  if (items.length > limits.pushUpdates.max) throw badInput('updates', `At most ${limits.pushUpdates.max} updates per push`);
  if (items.length === 0) return [];
  return deps.pushes.submit({ viewer, items, compactAfterUpdates: deps.config.compactAfterUpdates });
}

/**
 * The app's push committer (AppDeps.pushes, built once by createApp): it runs the pushes
 * submitted to it in group commits on `deps`, then publishes what each group accepted.
 */
export function createPushCommitter(deps: PushDeps & Pick<AppDeps, 'pubsub'>): PushCommitter {
  return new GroupCommitter(
    async (requests) => {
      const { outcomes, accepted, notified, removedAttachments } = await commitGroup(deps, requests);
      if (notified) deps.notifications.wake();
      if (removedAttachments) deps.attachments.sweeper.wake();
      await publishAccepted(deps, accepted);
      return outcomes;
    },
    {
      weight: (r) => r.items.length,
      maxWeight: GROUP_MAX_UPDATES,
      concurrency: GROUP_CONCURRENCY,
      transient: isTransientDbError,
      retries: 3,
    },
  );
}

/**
 * Sends committed updates to every member of their conversations. Never throws: the updates
 * are committed and are answered as accepted whatever happens here (a member who misses the
 * event catches up with segmentDiffs or changes).
 */
async function publishAccepted(deps: Pick<AppDeps, 'db' | 'pubsub'>, accepted: AcceptedUpdate[]): Promise<void> {
  if (accepted.length === 0) return;
  try {
    const members = await listMembersOf(deps.db, [...new Set(accepted.map((a) => a.key.conversationId))]);
    for (const { key, seq, update, originDeviceId } of accepted) {
      publishToUsers(deps.pubsub, members.get(key.conversationId) ?? [], {
        kind: 'segmentUpdated',
        conversationId: key.conversationId,
        segment: key.segment,
        seq,
        update,
        originDeviceId,
      });
    }
  } catch (e) {
    console.error('Publishing committed updates failed (members catch up on their next sync):', e);
  }
}

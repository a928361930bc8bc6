import type { ErrorCode, RefusalCode } from '@mailboat/schema';
import type { Viewer } from '../../viewer.js';
import type { SegmentKey } from '../segments/segments-repository.js';
import type { GroupCommitter } from './group-commit.js';

// The shapes a push travels in, from the resolver through the group committer to the group
// commit and back (in a file of their own so push-service.ts and push-group.ts need not
// import each other, and AppDeps can name the committer).

/** One pushed Yjs v1 update, to one segment document of a conversation. */
export type PushItem = SegmentKey & { update: Uint8Array };

/** What became of one pushed update; a refused one stored nothing. */
export type PushOutcome =
  | { status: 'accepted' | 'duplicate' }
  | { status: 'refused'; code: RefusalCode | typeof ErrorCode.NOT_FOUND; message: string; stateVector?: Uint8Array };

/** One push: its viewer, its updates, and its app's compaction threshold (config.compactAfterUpdates). */
export type PushRequest = { viewer: Viewer; items: PushItem[]; compactAfterUpdates: number };

/** Takes pushes and commits them in groups, answering each with one outcome per update (one per app: AppDeps.pushes). */
export type PushCommitter = GroupCommitter<PushRequest, PushOutcome[]>;

/** An update a group committed (its canonical form, see push-check.ts), with what its publication needs. */
export type AcceptedUpdate = { key: SegmentKey; seq: number; update: Uint8Array; originDeviceId: string };

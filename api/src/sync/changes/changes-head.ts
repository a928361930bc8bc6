import type { Db } from '../../db/connect.js';
import { findFeedHorizon } from './changes-repository.js';
import { encodeChangeCursor } from './changes-service.js';

/**
 * A `changes` cursor at the current end of the feed: every transaction below the horizon
 * (the oldest still running) has finished, so nothing at or before this cursor can appear
 * later, and every change committed from now on (or still in flight) sorts after it. A new
 * device takes it before loading history, so the feed then replays only what it may lack.
 */
export async function changesHead(db: Db): Promise<string> {
  const horizon = BigInt(await findFeedHorizon(db));
  return encodeChangeCursor({ txid: (horizon - 1n).toString(), id: 'ffffffff-ffff-ffff-ffff-ffffffffffff' });
}

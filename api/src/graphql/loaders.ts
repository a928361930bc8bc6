import DataLoader from 'dataloader';
import { findUsersByIds } from '../accounts/users-repository.js';
import type { Db } from '../db/connect.js';
import type { UserRow } from '../db/tables.js';

/**
 * Per-request batching of lookups that list fields repeat (a page of messages asks for the
 * same authors over and over): one query per kind per tick instead of one per field. No
 * caching beyond the tick, so a long-lived subscription never serves stale rows.
 */
export type Loaders = { user: DataLoader<string, UserRow | undefined> };

export function createLoaders(db: Db): Loaders {
  return {
    user: new DataLoader(
      async (ids: readonly string[]) => {
        const rows = await findUsersByIds(db, ids);
        const byId = new Map(rows.map((r) => [r.id, r]));
        return ids.map((id) => byId.get(id));
      },
      { cache: false },
    ),
  };
}

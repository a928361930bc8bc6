import type { Db } from '../db/connect.js';
import type { RefreshTokenRow } from '../db/tables.js';

export async function insertRefreshToken(
  db: Db,
  token: { id: string; deviceId: string; tokenHash: string; expiresAt: Date },
): Promise<void> {
  await db
    .insertInto('refresh_tokens')
    .values({ id: token.id, device_id: token.deviceId, token_hash: token.tokenHash, expires_at: token.expiresAt })
    .execute();
}

/** Finds a token by hash and locks it, so that two concurrent refreshes cannot both use it. */
export async function lockRefreshTokenByHash(db: Db, tokenHash: string): Promise<RefreshTokenRow | undefined> {
  return db.selectFrom('refresh_tokens').selectAll().where('token_hash', '=', tokenHash).forUpdate().executeTakeFirst();
}

/** Marks a token used and records the token it was rotated into. */
export async function markRefreshTokenReplaced(db: Db, id: string, replacedBy: string, at: Date): Promise<void> {
  await db.updateTable('refresh_tokens').set({ used_at: at, replaced_by: replacedBy }).where('id', '=', id).execute();
}

export async function lockRefreshTokenById(db: Db, id: string): Promise<RefreshTokenRow | undefined> {
  return db.selectFrom('refresh_tokens').selectAll().where('id', '=', id).forUpdate().executeTakeFirst();
}

/** Kills a token that was never used by marking it used with no successor: presenting it later counts as reuse. */
export async function retireRefreshToken(db: Db, id: string, at: Date): Promise<void> {
  await db.updateTable('refresh_tokens').set({ used_at: at }).where('id', '=', id).execute();
}

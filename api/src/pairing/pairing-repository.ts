import type { Db } from '../db/connect.js';
import type { PairingCodeRow } from '../db/tables.js';

export async function insertPairingCode(
  db: Db,
  code: { codeHash: string; userId: string; deviceId: string; expiresAt: Date },
): Promise<void> {
  await db
    .insertInto('pairing_codes')
    .values({ code_hash: code.codeHash, user_id: code.userId, created_by_device_id: code.deviceId, expires_at: code.expiresAt })
    .execute();
}

/** Finds a code by hash and locks it, so that two devices cannot both redeem it. */
export async function lockPairingCode(db: Db, codeHash: string): Promise<PairingCodeRow | undefined> {
  return db.selectFrom('pairing_codes').selectAll().where('code_hash', '=', codeHash).forUpdate().executeTakeFirst();
}

export async function markPairingCodeRedeemed(db: Db, codeHash: string, deviceId: string, at: Date): Promise<void> {
  await db.updateTable('pairing_codes').set({ redeemed_at: at, redeemed_device_id: deviceId }).where('code_hash', '=', codeHash).execute();
}

/** Drops codes that expired more than a day ago (kept a while so "expired" can be told from "unknown"). */
export async function deleteStalePairingCodes(db: Db, now: Date): Promise<void> {
  await db
    .deleteFrom('pairing_codes')
    .where('expires_at', '<', new Date(now.getTime() - 86_400_000))
    .execute();
}

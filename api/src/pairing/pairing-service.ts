import { ErrorCode, limits } from '@mailboat/schema';
import type { SignedIn } from '../accounts/accounts-service.js';
import { findUsersByIds } from '../accounts/users-repository.js';
import { hashSecret, newPairingCode, normalizePairingCode } from '../auth/secrets.js';
import { startDeviceSession, withAccessToken } from '../auth/sessions.js';
import type { AppDeps } from '../context.js';
import { findDevice } from '../devices/devices-repository.js';
import { AppError } from '../errors.js';
import { publishToUsers } from '../events/pubsub.js';
import * as validate from '../validate.js';
import type { Viewer } from '../viewer.js';
import { deleteStalePairingCodes, insertPairingCode, lockPairingCode, markPairingCodeRedeemed } from './pairing-repository.js';

/**
 * Creates a one-time code that signs a new device into the viewer's account without the
 * password. Only its hash is stored; it expires after PAIRING_CODE_TTL_SECONDS.
 */
export async function createPairingCode(deps: AppDeps, viewer: Viewer, now = new Date()) {
  const code = newPairingCode(limits.pairingCodeLength);
  const expiresAt = new Date(now.getTime() + deps.config.pairingCodeTtlSeconds * 1000);
  await deleteStalePairingCodes(deps.db, now);
  await insertPairingCode(deps.db, { codeHash: hashSecret(code), userId: viewer.userId, deviceId: viewer.deviceId, expiresAt });
  return { code, expiresAt };
}

/**
 * Redeems a pairing code: registers `device` as a new signed-in device of the code's owner.
 * Works once. Throws PAIRING_CODE_EXPIRED after expiry, PAIRING_CODE_INVALID when unknown,
 * already used, or when the device that created it has since been revoked.
 */
export async function redeemPairingCode(
  deps: AppDeps,
  input: { code: string; device: validate.DeviceInput },
  now = new Date(),
): Promise<SignedIn> {
  const device = validate.device(input.device);
  const codeHash = hashSecret(normalizePairingCode(input.code));
  const outcome = await deps.db.transaction().execute(async (trx) => {
    const code = await lockPairingCode(trx, codeHash);
    if (!code || code.redeemed_at) return 'invalid' as const;
    if (code.expires_at <= now) return 'expired' as const;
    const creator = await findDevice(trx, code.created_by_device_id);
    if (!creator || creator.revoked_at) return 'invalid' as const;
    const session = await startDeviceSession(trx, deps.config, code.user_id, device, now);
    await markPairingCodeRedeemed(trx, codeHash, session.device.id, now);
    return session;
  });
  if (outcome === 'invalid') throw new AppError(ErrorCode.PAIRING_CODE_INVALID, 'This pairing code is not valid or was already used');
  if (outcome === 'expired') throw new AppError(ErrorCode.PAIRING_CODE_EXPIRED, 'This pairing code has expired: create a new one');
  const [user] = await findUsersByIds(deps.db, [outcome.device.user_id]);
  if (!user) throw new Error('pairing code owner vanished');
  publishToUsers(deps.pubsub, [user.id], { kind: 'deviceAdded', deviceId: outcome.device.id });
  return { user, device: outcome.device, ...(await withAccessToken(deps.config, outcome.device, outcome)) };
}

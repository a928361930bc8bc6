import { v7 as uuidv7 } from 'uuid';
import type { Config } from '../config.js';
import type { Db } from '../db/connect.js';
import type { DeviceRow } from '../db/tables.js';
import { insertDevice } from '../devices/devices-repository.js';
import type { DeviceInput } from '../validate.js';
import { signAccessToken } from './access-tokens.js';
import { insertRefreshToken } from './refresh-tokens-repository.js';
import { hashSecret, newOpaqueToken } from './secrets.js';

/** What a client receives when it signs in, redeems a pairing code or refreshes. */
export type SessionTokens = {
  accessToken: string;
  accessTokenExpiresAt: Date;
  refreshToken: string;
  refreshTokenExpiresAt: Date;
};

/**
 * Registers a new device for `userId` and issues its first refresh token (the head of the
 * device's rotation family). Call inside the transaction that also creates or checks the user.
 */
export async function startDeviceSession(
  trx: Db,
  config: Config,
  userId: string,
  device: DeviceInput,
  now = new Date(),
): Promise<{ device: DeviceRow; refreshToken: string; refreshTokenExpiresAt: Date }> {
  const row = await insertDevice(trx, {
    id: uuidv7(),
    user_id: userId,
    name: device.name,
    platform: device.platform,
    app_version: device.appVersion,
    created_at: now,
    last_seen_at: now,
    session_expires_at: new Date(now.getTime() + config.refreshAbsoluteTtlSeconds * 1000),
  });
  const { refreshToken, refreshTokenExpiresAt } = await issueRefreshToken(trx, config, row, now);
  return { device: row, refreshToken, refreshTokenExpiresAt };
}

/** Stores a new refresh token for `device`, expiring after the idle lifetime or at session end, whichever is first. */
export async function issueRefreshToken(
  trx: Db,
  config: Config,
  device: DeviceRow,
  now = new Date(),
): Promise<{ id: string; refreshToken: string; refreshTokenExpiresAt: Date }> {
  const id = uuidv7();
  const refreshToken = newOpaqueToken();
  const idleEnd = now.getTime() + config.refreshIdleTtlSeconds * 1000;
  const refreshTokenExpiresAt = new Date(Math.min(idleEnd, device.session_expires_at.getTime()));
  await insertRefreshToken(trx, {
    id,
    deviceId: device.id,
    tokenHash: hashSecret(refreshToken),
    expiresAt: refreshTokenExpiresAt,
  });
  return { id, refreshToken, refreshTokenExpiresAt };
}

/** Signs the access token that goes with a refresh token just issued. */
export async function withAccessToken(
  config: Config,
  device: DeviceRow,
  issued: { refreshToken: string; refreshTokenExpiresAt: Date },
): Promise<SessionTokens> {
  const { token, expiresAt } = await signAccessToken(
    { userId: device.user_id, deviceId: device.id },
    config.tokenSecret,
    config.accessTokenTtlSeconds,
  );
  return {
    accessToken: token,
    accessTokenExpiresAt: expiresAt,
    refreshToken: issued.refreshToken,
    refreshTokenExpiresAt: issued.refreshTokenExpiresAt,
  };
}

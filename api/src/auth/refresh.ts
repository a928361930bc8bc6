import { ErrorCode } from '@mailboat/schema';
import type { AppDeps } from '../context.js';
import { lockDevice, revokeDevices } from '../devices/devices-repository.js';
import { announceRevocations } from '../devices/revocation.js';
import { AppError } from '../errors.js';
import { lockRefreshTokenByHash, markRefreshTokenUsed } from './refresh-tokens-repository.js';
import { hashSecret } from './secrets.js';
import { issueRefreshToken, type SessionTokens, withAccessToken } from './sessions.js';

const invalid = () => new AppError(ErrorCode.REFRESH_TOKEN_INVALID, 'The refresh token is invalid or expired: sign in again', {}, 401);

/**
 * Exchanges a refresh token for a new access token and a new refresh token (rotation).
 * Throws REFRESH_TOKEN_INVALID for an unknown, expired or revoked token, and
 * REFRESH_TOKEN_REUSED when the token was already used: then the whole family (the device's
 * session) is revoked first, as RFC 9700 §4.14.2 asks, and the device is told at once.
 */
export async function refreshSession(deps: AppDeps, presented: string, now = new Date()): Promise<SessionTokens> {
  const outcome = await deps.db.transaction().execute(async (trx) => {
    const token = await lockRefreshTokenByHash(trx, hashSecret(presented));
    if (!token) return { kind: 'invalid' } as const;
    const device = await lockDevice(trx, token.device_id);
    if (!device || device.revoked_at) return { kind: 'invalid' } as const;
    if (token.used_at) {
      const revoked = await revokeDevices(trx, device.user_id, [device.id], 'refresh_token_reused');
      return { kind: 'reused', revoked } as const;
    }
    if (token.expires_at <= now || device.session_expires_at <= now) return { kind: 'invalid' } as const;
    await markRefreshTokenUsed(trx, token.id, now);
    const issued = await issueRefreshToken(trx, deps.config, device, now);
    return { kind: 'rotated', device, issued } as const;
  });
  if (outcome.kind === 'invalid') throw invalid();
  if (outcome.kind === 'reused') {
    announceRevocations(deps.pubsub, outcome.revoked);
    throw new AppError(
      ErrorCode.REFRESH_TOKEN_REUSED,
      'This refresh token was already used; the session was revoked for safety: sign in again',
      {},
      401,
    );
  }
  return withAccessToken(deps.config, outcome.device, outcome.issued);
}

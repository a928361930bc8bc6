import { ErrorCode } from '@mailboat/schema';
import type { AppDeps } from '../context.js';
import type { Db } from '../db/connect.js';
import type { DeviceRow, RefreshTokenRow } from '../db/tables.js';
import { lockDevice, revokeDevices } from '../devices/devices-repository.js';
import { announceRevocations } from '../devices/revocation.js';
import { AppError } from '../errors.js';
import { lockRefreshTokenByHash, lockRefreshTokenById, markRefreshTokenReplaced, retireRefreshToken } from './refresh-tokens-repository.js';
import { hashSecret } from './secrets.js';
import { issueRefreshToken, type SessionTokens, withAccessToken } from './sessions.js';

const invalid = () => new AppError(ErrorCode.REFRESH_TOKEN_INVALID, 'The refresh token is invalid or expired: sign in again');

/**
 * Exchanges a refresh token for a new access token and a new refresh token (rotation).
 * Throws REFRESH_TOKEN_INVALID for an unknown, expired or revoked token, and
 * REFRESH_TOKEN_REUSED when the token was already used: then the whole family (the device's
 * session) is revoked first, as RFC 9700 §4.14.2 asks, and the device is told at once.
 *
 * One exception to reuse (a "lost answer"): a token rotated less than
 * `refreshReuseGraceSeconds` ago whose successor has never been used may be presented again,
 * because the answer that carried the successor may never have arrived (a navigation aborted
 * the request, the connection broke after the commit). The unused successor is then retired
 * and a new one issued, so the device still holds exactly one live token; a copy of the
 * old token replayed by someone else kills the device's own successor, whose next use is
 * then caught as reuse.
 *
 * Answers with whose session it is (user and device), so a client can check it is still the
 * account it believes it holds.
 */
export async function refreshSession(
  deps: AppDeps,
  presented: string,
  now = new Date(),
): Promise<SessionTokens & { userId: string; deviceId: string }> {
  const outcome = await deps.db.transaction().execute(async (trx) => {
    const token = await lockRefreshTokenByHash(trx, hashSecret(presented));
    if (!token) return { kind: 'invalid' } as const;
    // Locks are taken token, successor, device: the order a refresh with the successor takes them.
    const lostAnswer = await lostAnswerRetry(trx, token, now, deps.config.refreshReuseGraceSeconds);
    const device = await lockDevice(trx, token.device_id);
    if (!device || device.revoked_at) return { kind: 'invalid' } as const;
    if (token.used_at && !lostAnswer) {
      const revoked = await revokeDevices(trx, device.user_id, [device.id], 'refresh_token_reused');
      return { kind: 'reused', revoked } as const;
    }
    if (token.expires_at <= now || device.session_expires_at <= now) return { kind: 'invalid' } as const;
    if (lostAnswer) await retireRefreshToken(trx, lostAnswer.id, now);
    return { kind: 'rotated', device, issued: await rotate(trx, deps, token, device, now) } as const;
  });
  if (outcome.kind === 'invalid') throw invalid();
  if (outcome.kind === 'reused') {
    announceRevocations(deps.pubsub, outcome.revoked);
    throw new AppError(
      ErrorCode.REFRESH_TOKEN_REUSED,
      'This refresh token was already used; the session was revoked for safety: sign in again',
    );
  }
  return {
    ...(await withAccessToken(deps.config, outcome.device, outcome.issued)),
    userId: outcome.device.user_id,
    deviceId: outcome.device.id,
  };
}

/**
 * When a used token may be rotated again (it was rotated within the grace period and its
 * successor was never used), that successor, locked, to retire; otherwise null.
 */
async function lostAnswerRetry(trx: Db, token: RefreshTokenRow, now: Date, graceSeconds: number) {
  if (!token.used_at || !token.replaced_by) return null;
  if (now.getTime() - token.used_at.getTime() > graceSeconds * 1000) return null;
  const successor = await lockRefreshTokenById(trx, token.replaced_by);
  return successor && !successor.used_at ? successor : null;
}

async function rotate(trx: Db, deps: AppDeps, token: RefreshTokenRow, device: DeviceRow, now: Date) {
  const issued = await issueRefreshToken(trx, deps.config, device, now);
  // used_at keeps the first rotation's time: retries do not stretch the grace period.
  await markRefreshTokenReplaced(trx, token.id, issued.id, token.used_at ?? now);
  return issued;
}

import { ErrorCode } from '@mailboat/schema';
import type { AppDeps } from '../context.js';
import { findDevice, touchDevice } from '../devices/devices-repository.js';
import { AppError, unauthenticated } from '../errors.js';
import type { Viewer } from '../viewer.js';
import { verifyAccessToken } from './access-tokens.js';

export const deviceRevoked = () => new AppError(ErrorCode.DEVICE_REVOKED, 'This device was signed out or revoked: sign in again');

/**
 * Resolves the viewer from an `Authorization: Bearer <access token>` header; null when the
 * header is absent. Throws (HTTP 401) for a malformed, invalid or expired token, and
 * DEVICE_REVOKED when the token's device was revoked — checked on every request, so a
 * revocation takes effect before the token expires.
 */
export async function authenticate(deps: AppDeps, authorization: string | null): Promise<Viewer | null> {
  if (authorization === null) return null;
  const match = /^Bearer ([A-Za-z0-9._~+/=-]+)$/.exec(authorization.trim());
  if (!match?.[1]) throw unauthenticated('The Authorization header must be "Bearer <access token>"');
  const claims = await verifyAccessToken(match[1], deps.config.tokenSecret);
  const device = await findDevice(deps.db, claims.deviceId);
  if (!device || device.user_id !== claims.userId) throw unauthenticated('The access token names an unknown device');
  if (device.revoked_at || device.session_expires_at <= new Date()) throw deviceRevoked();
  if (Date.now() - device.last_seen_at.getTime() > 60_000) await touchDevice(deps.db, device.id);
  return { userId: claims.userId, deviceId: claims.deviceId };
}

/** The viewer, or UNAUTHENTICATED when the request carries no access token. */
export function requireViewer(ctx: { viewer: Viewer | null }): Viewer {
  if (!ctx.viewer) throw unauthenticated();
  return ctx.viewer;
}

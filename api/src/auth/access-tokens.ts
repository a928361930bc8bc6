import { ErrorCode } from '@mailboat/schema';
import { errors, jwtVerify, SignJWT } from 'jose';
import { AppError } from '../errors.js';

const ISSUER = 'mailboat';
const AUDIENCE = 'mailboat-api';

export type AccessClaims = { userId: string; deviceId: string };

/** Signs a short-lived HS256 access token for one device of one user. */
export async function signAccessToken(claims: AccessClaims, secret: Uint8Array, ttlSeconds: number, now = new Date()) {
  const iat = Math.floor(now.getTime() / 1000);
  const token = await new SignJWT({ did: claims.deviceId })
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setSubject(claims.userId)
    .setIssuer(ISSUER)
    .setAudience(AUDIENCE)
    .setIssuedAt(iat)
    .setExpirationTime(iat + ttlSeconds)
    .sign(secret);
  return { token, expiresAt: new Date((iat + ttlSeconds) * 1000) };
}

/**
 * Verifies signature, issuer, audience and expiry. Throws AppError TOKEN_EXPIRED for an
 * expired token and UNAUTHENTICATED for anything else wrong with it. It does not check
 * revocation: the caller looks the device up.
 */
export async function verifyAccessToken(token: string, secret: Uint8Array): Promise<AccessClaims> {
  try {
    const { payload } = await jwtVerify(token, secret, { issuer: ISSUER, audience: AUDIENCE, algorithms: ['HS256'] });
    if (typeof payload.sub !== 'string' || typeof payload.did !== 'string') throw new errors.JWTInvalid('missing claims');
    return { userId: payload.sub, deviceId: payload.did };
  } catch (e) {
    if (e instanceof errors.JWTExpired) {
      throw new AppError(ErrorCode.TOKEN_EXPIRED, 'The access token has expired: refresh it');
    }
    throw new AppError(ErrorCode.UNAUTHENTICATED, 'The access token is malformed or invalid');
  }
}

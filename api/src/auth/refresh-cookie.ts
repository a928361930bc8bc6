import { parse, serialize } from 'cookie';

/** The browser's refresh token lives only in this cookie, sent only to the refresh endpoint. */
export const REFRESH_COOKIE = 'mailboat_refresh';
export const REFRESH_PATH = '/auth/refresh';

/** HttpOnly, SameSite=Strict, scoped to the refresh endpoint; Secure when served over HTTPS. */
export function refreshCookie(token: string, expiresAt: Date, secure: boolean): string {
  return serialize(REFRESH_COOKIE, token, { httpOnly: true, sameSite: 'strict', secure, path: REFRESH_PATH, expires: expiresAt });
}

export function clearedRefreshCookie(secure: boolean): string {
  return serialize(REFRESH_COOKIE, '', { httpOnly: true, sameSite: 'strict', secure, path: REFRESH_PATH, maxAge: 0 });
}

export function readRefreshCookie(request: Request): string | undefined {
  const header = request.headers.get('cookie');
  return header ? parse(header)[REFRESH_COOKIE] || undefined : undefined;
}

import { ErrorCode } from '@mailboat/schema';
import { ClientError, ClientOnlyErrorCode } from '../app/model.js';
import { knownErrorCode, networkError } from './errors.js';

/** Where a BODY-delivered refresh token is kept between runs (the account's IndexedDB meta). */
export type RefreshTokenStore = { get(): Promise<string | undefined>; set(token: string): Promise<void> };

export type TokenKeeperOptions = {
  baseUrl: string;
  fetch: typeof fetch;
  delivery: 'COOKIE' | 'BODY';
  refreshTokens: () => RefreshTokenStore | null;
  now: () => number;
  /** Told the new refresh token's expiry (epoch ms) after every refresh: the sign-in ends then unless used. */
  renewed?: (signInExpiresAt: number) => void;
  /** The user (global id) this device holds, when known: a refresh answered for anyone else is refused. */
  expectedUserId?: () => string | null | undefined;
};

/** Refresh this long before the access token expires (or a fifth of its lifetime, when shorter). */
const MARGIN_MS = 60_000;

/**
 * Keeps the access token in memory only and refreshes it with POST /auth/refresh: with the
 * HttpOnly cookie (COOKIE, same-origin) or the stored refresh token (BODY, rotated on every
 * use). One refresh runs at a time (and, in browsers with Web Locks, one per origin), since
 * presenting a rotated token twice revokes the device.
 *
 * `fresh()` and `refresh()` reject with ClientError: NETWORK when the server cannot be
 * reached, REFRESH_TOKEN_INVALID / REFRESH_TOKEN_REUSED / DEVICE_REVOKED when the device is
 * signed out for good (see SIGNED_OUT_CODES), ACCOUNT_MISMATCH (also signed out for good)
 * when the refresh continued another account's session than the one this device holds (a
 * cross-site sign-in planted another refresh cookie), or another API code. A mismatched
 * answer's token is never used.
 */
export class TokenKeeper {
  /** The access token and the local time after which it is refreshed before use. */
  private token: { value: string; refreshAt: number } | null = null;
  private refreshing: Promise<string> | null = null;
  /** Bumped by `clear()`: a refresh that started before it does not bring a token back. */
  private generation = 0;

  constructor(private readonly options: TokenKeeperOptions) {}

  /**
   * Takes the access token of a sign-in or refresh answer. Its lifetime is read from the
   * token itself (JWT iat/exp) when it can be and counted on the local clock from now, so a
   * device clock set wrong neither refreshes on every request nor sends expired tokens.
   */
  accept(accessToken: string, expiresAt: string | number): void {
    const now = this.options.now();
    const lifetime = jwtLifetimeMs(accessToken) ?? (typeof expiresAt === 'number' ? expiresAt : Date.parse(expiresAt)) - now;
    this.token = { value: accessToken, refreshAt: now + lifetime - Math.min(MARGIN_MS, lifetime / 5) };
  }

  /** Forgets the access token; a refresh under way when it is called rejects (UNAUTHENTICATED). */
  clear(): void {
    this.token = null;
    this.generation++;
  }

  /** An access token not close to expiry, refreshing first when needed. */
  async fresh(): Promise<string> {
    const t = this.token;
    if (t && this.options.now() < t.refreshAt) return t.value;
    return this.refresh();
  }

  /**
   * Rotates the refresh token into a new access token. Single flight: callers during a
   * refresh share it. With `rejected` (a token the server refused), it refreshes only if that
   * is still the current token, so several requests refused together cause one refresh.
   */
  refresh(rejected?: string): Promise<string> {
    if (rejected !== undefined && !this.refreshing && this.token && this.token.value !== rejected) {
      return Promise.resolve(this.token.value);
    }
    this.refreshing ??= this.locked(() => this.doRefresh()).finally(() => {
      this.refreshing = null;
    });
    return this.refreshing;
  }

  private locked<T>(fn: () => Promise<T>): Promise<T> {
    const locks = (globalThis as { navigator?: { locks?: LockManager } }).navigator?.locks;
    if (this.options.delivery === 'COOKIE' && locks) return locks.request('mailboat-refresh', fn) as Promise<T>;
    return fn();
  }

  private async doRefresh(): Promise<string> {
    const generation = this.generation;
    const store = this.options.refreshTokens();
    let init: RequestInit;
    if (this.options.delivery === 'BODY') {
      const refreshToken = await store?.get();
      if (!refreshToken) throw new ClientError(ErrorCode.REFRESH_TOKEN_INVALID, 'This device has no refresh token: sign in again');
      init = { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ refreshToken }) };
    } else {
      init = { method: 'POST', credentials: 'same-origin' };
    }
    let res: Response;
    try {
      res = await this.options.fetch(`${this.options.baseUrl}/auth/refresh`, init);
    } catch {
      throw networkError();
    }
    if (res.status >= 500) throw networkError(`Mailboat answered ${res.status}`);
    const body = (await res.json().catch(() => null)) as Record<string, any> | null;
    if (!res.ok || !body?.accessToken) {
      const error = body?.errors?.[0];
      const code = error?.extensions?.code;
      throw new ClientError(
        code == null ? ErrorCode.REFRESH_TOKEN_INVALID : knownErrorCode(code),
        error?.message ?? `Refresh failed (${res.status})`,
      );
    }
    const expected = this.options.expectedUserId?.();
    if (expected && typeof body.userId === 'string' && body.userId !== expected) {
      throw new ClientError(
        ClientOnlyErrorCode.ACCOUNT_MISMATCH,
        'This browser was signed into another account from elsewhere: signed out for safety',
      );
    }
    if (this.options.delivery === 'BODY' && typeof body.refreshToken === 'string') await store?.set(body.refreshToken);
    if (generation !== this.generation) throw new ClientError(ErrorCode.UNAUTHENTICATED, 'Signed out while refreshing');
    this.accept(body.accessToken, body.accessTokenExpiresAt);
    const signInExpiresAt = Date.parse(body.refreshTokenExpiresAt);
    if (Number.isFinite(signInExpiresAt)) this.options.renewed?.(signInExpiresAt);
    return body.accessToken as string;
  }
}

/** A JWT's lifetime (exp - iat) in ms, or null when the token is not a readable JWT. */
function jwtLifetimeMs(token: string): number | null {
  try {
    const part = token.split('.')[1];
    if (!part) return null;
    const json = atob(
      part
        .replace(/-/g, '+')
        .replace(/_/g, '/')
        .padEnd(Math.ceil(part.length / 4) * 4, '='),
    );
    const { iat, exp } = JSON.parse(json) as { iat?: unknown; exp?: unknown };
    return typeof iat === 'number' && typeof exp === 'number' && exp > iat ? (exp - iat) * 1000 : null;
  } catch {
    return null;
  }
}

import { ClientError } from '../app/model.js';
import { networkError } from './errors.js';

/** Where a BODY-delivered refresh token is kept between runs (the account's IndexedDB meta). */
export type RefreshTokenStore = { get(): Promise<string | undefined>; set(token: string): Promise<void> };

export type TokenKeeperOptions = {
  baseUrl: string;
  fetch: typeof fetch;
  delivery: 'COOKIE' | 'BODY';
  refreshTokens: () => RefreshTokenStore | null;
  now: () => number;
};

/** Refresh this long before the access token expires. */
const MARGIN_MS = 60_000;

/**
 * Keeps the access token in memory only and refreshes it with POST /auth/refresh: with the
 * HttpOnly cookie (COOKIE, same-origin) or the stored refresh token (BODY, rotated on every
 * use). One refresh runs at a time (and, in browsers with Web Locks, one per origin), since
 * presenting a rotated token twice revokes the device.
 *
 * `fresh()` and `refresh()` reject with ClientError: NETWORK when the server cannot be
 * reached, REFRESH_TOKEN_INVALID / REFRESH_TOKEN_REUSED / DEVICE_REVOKED when the device is
 * signed out for good (see SIGNED_OUT_CODES), or another API code.
 */
export class TokenKeeper {
  private token: { value: string; expiresAt: number } | null = null;
  private refreshing: Promise<string> | null = null;

  constructor(private readonly options: TokenKeeperOptions) {}

  /** Takes the access token of a sign-in or refresh answer. */
  accept(accessToken: string, expiresAt: string | number): void {
    this.token = { value: accessToken, expiresAt: typeof expiresAt === 'number' ? expiresAt : Date.parse(expiresAt) };
  }

  clear(): void {
    this.token = null;
  }

  /** An access token valid for at least a minute more, refreshing first when needed. */
  async fresh(): Promise<string> {
    const t = this.token;
    if (t && t.expiresAt - this.options.now() > MARGIN_MS) return t.value;
    return this.refresh();
  }

  /** Rotates the refresh token into a new access token (single flight). */
  refresh(): Promise<string> {
    this.refreshing ??= this.locked(() => this.doRefresh()).finally(() => {
      this.refreshing = null;
    });
    return this.refreshing;
  }

  private locked<T>(fn: () => Promise<T>): Promise<T> {
    const locks = (globalThis.navigator as Navigator | undefined)?.locks;
    if (this.options.delivery === 'COOKIE' && locks) return locks.request('mailboat-refresh', fn) as Promise<T>;
    return fn();
  }

  private async doRefresh(): Promise<string> {
    const store = this.options.refreshTokens();
    let init: RequestInit;
    if (this.options.delivery === 'BODY') {
      const refreshToken = await store?.get();
      if (!refreshToken) throw new ClientError('REFRESH_TOKEN_INVALID', 'This device has no refresh token: sign in again');
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
      throw new ClientError(error?.extensions?.code ?? 'REFRESH_TOKEN_INVALID', error?.message ?? `Refresh failed (${res.status})`);
    }
    if (this.options.delivery === 'BODY' && typeof body.refreshToken === 'string') await store?.set(body.refreshToken);
    this.accept(body.accessToken, body.accessTokenExpiresAt);
    return body.accessToken as string;
  }
}

import { Api } from './api.js';
import { TokenKeeper } from './auth.js';
import { type AccountDb, setMeta } from './local-db.js';

/** How the service worker reaches the API: its origin, its fetch, and a clock for token lifetimes. */
export type WorkerApiOptions = {
  /** The API's origin ('' or the worker's own origin in the service worker). */
  baseUrl: string;
  fetch: typeof fetch;
  now?: () => number;
};

/**
 * An Api for the service worker, signed in as the device's account `userId`: it holds no
 * access token of its own, so its first request refreshes one with the HttpOnly refresh
 * cookie (COOKIE delivery, under the app's refresh lock, see auth.ts), and a refresh
 * answered for another account is refused. The new sign-in expiry is written to `db`, where
 * the app reads it. Only for devices whose refresh token is a cookie: a BODY token is rotated
 * by the app alone (callers check `getMeta(db, 'refreshToken')` first).
 */
export function workerApi(options: WorkerApiOptions, db: AccountDb, userId: string): Api {
  const tokens = new TokenKeeper({
    expectedUserId: () => userId,
    renewed: (at) => void setMeta(db, 'signInExpiresAt', at).catch(() => undefined),
    baseUrl: options.baseUrl,
    fetch: options.fetch,
    delivery: 'COOKIE',
    refreshTokens: () => null,
    now: options.now ?? Date.now,
  });
  return new Api({ baseUrl: options.baseUrl, fetch: options.fetch, tokens, onReachable: () => {}, onSignedOut: () => {} });
}

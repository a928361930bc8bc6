import { Api } from './api.js';
import { TokenKeeper } from './auth.js';
import { isSignedOutError } from './errors.js';
import { type AccountDb, getMeta, openAccountDb, readCurrentAccount, setMeta } from './local-db.js';

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

/**
 * Why a worker task did nothing for the device's account: no account is signed in, its refresh
 * token is not a cookie (a BODY token is rotated by the app alone), or the device was signed out.
 */
export type WorkerAccountSkip = 'NO_ACCOUNT' | 'NO_COOKIE' | 'SIGNED_OUT';

/**
 * Runs `task` for the account signed in on this device, with a worker Api (workerApi), once
 * `ready` found nothing against it (it answers a reason of its own to skip, or null), and closes
 * the account's database after. Answers the task's result or why it did nothing; a failure that
 * means the device was signed out answers SIGNED_OUT, and any other rejects (ClientError, e.g.
 * NETWORK), which leaves the work to a later try.
 */
export async function inWorkerAccount<R, S extends string>(
  options: WorkerApiOptions & { indexedDB: IDBFactory },
  ready: (db: AccountDb) => Promise<S | null>,
  task: (api: Api, db: AccountDb, userId: string) => Promise<R>,
): Promise<R | S | WorkerAccountSkip> {
  const userId = await readCurrentAccount(options.indexedDB);
  if (!userId) return 'NO_ACCOUNT';
  const db = await openAccountDb(options.indexedDB, userId);
  try {
    const skip = await ready(db);
    if (skip !== null) return skip;
    if ((await getMeta(db, 'refreshToken')) !== undefined) return 'NO_COOKIE';
    try {
      return await task(workerApi(options, db, userId), db, userId);
    } catch (e) {
      if (isSignedOutError(e)) return 'SIGNED_OUT';
      throw e;
    }
  } finally {
    db.close();
  }
}

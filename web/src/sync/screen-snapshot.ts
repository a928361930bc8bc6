/**
 * The screen snapshot: the HTML of what the screen showed last, kept in localStorage so that
 * web/public/screen-snapshot.js can paint it, read-only, before any module of the app has
 * loaded (localStorage is the one store a classic script can read synchronously). The app
 * replaces it at its first render. It only ever shows data of the account open on the device:
 *
 *  - ACCOUNT_KEY names the account open on this device: set when a session opens (`opened`),
 *    removed when it ends (`forget`, before any of its data is deleted).
 *  - A snapshot is stored only for that account (`store` refuses any other), so a page still
 *    showing another account (another tab, a sign-out in progress) cannot leave one behind.
 *  - The painter paints a snapshot only when its userId equals ACCOUNT_KEY's value and its
 *    route equals the page's: the last screen's (SNAPSHOT_KEY), else, at the home route, the
 *    last one of home (HOME_SNAPSHOT_KEY); an account that opens drops any other's snapshots.
 *  - Sign-out, revocation and the account's wipe remove every key (SessionLifecycle.end,
 *    Account.wipe).
 *
 * The keys and the format are repeated in web/public/screen-snapshot.js: keep them in step.
 */
export type ScreenSnapshot = {
  /** The account whose screen this is. */
  userId: string;
  /** location.hash when it was taken ('' and '#/' are the same route). */
  route: string;
  /** #root's innerHTML, without transient UI and form values (see app/screen-capture.ts). */
  html: string;
  /** Epoch ms. */
  savedAt: number;
};

export const SNAPSHOT_KEY = 'mailboat:first-paint-html';
/**
 * The last snapshot of the conversation list (the home route), kept beside the last screen:
 * an installed app opens at its start URL, `/`, whichever screen it was left on.
 */
export const HOME_SNAPSHOT_KEY = 'mailboat:first-paint-home-html';
export const ACCOUNT_KEY = 'mailboat:first-paint-account';

/** Whether `route` (a location.hash) is the home route ('' and '#/' are the same). */
export const isHomeRoute = (route: string): boolean => route === '' || route === '#' || route === '#/';
/** A bigger snapshot is not kept: reading and painting it would cost the launch more than it saves. */
export const MAX_SNAPSHOT_CHARS = 256 * 1024;

/** The snapshot's storage; every method is synchronous and never throws (a snapshot is only a head start). */
export class ScreenSnapshots {
  /** `storage`: localStorage in a browser; null where there is none (then nothing is kept). */
  constructor(private readonly storage: Storage | null) {}

  /** The account `userId` is now open on the device: a snapshot of any other account is dropped. */
  opened(userId: string): void {
    this.attempt((s) => {
      if (s.getItem(ACCOUNT_KEY) === userId) return;
      s.removeItem(SNAPSHOT_KEY);
      s.removeItem(HOME_SNAPSHOT_KEY);
      s.setItem(ACCOUNT_KEY, userId);
    });
  }

  /**
   * Keeps `snapshot` as the next launch's first paint. Refused (false) unless its account is
   * the one open on the device; when it is too big or does not fit, the previous snapshot
   * is removed too (it would show an older screen than the app's own first paint).
   */
  store(snapshot: ScreenSnapshot): boolean {
    return this.attempt((s) => {
      if (s.getItem(ACCOUNT_KEY) !== snapshot.userId) return false;
      const json = JSON.stringify(snapshot);
      const keys = isHomeRoute(snapshot.route) ? [SNAPSHOT_KEY, HOME_SNAPSHOT_KEY] : [SNAPSHOT_KEY];
      for (const key of keys) {
        try {
          if (json.length > MAX_SNAPSHOT_CHARS) throw new RangeError('too big');
          s.setItem(key, json);
        } catch {
          s.removeItem(key); // too big, or quota exceeded
          return false;
        }
      }
      return true;
    }, false);
  }

  /** The stored snapshot of the home route, if any. */
  readHome(): ScreenSnapshot | null {
    return this.attempt((s) => {
      const json = s.getItem(HOME_SNAPSHOT_KEY);
      return json ? (JSON.parse(json) as ScreenSnapshot) : null;
    }, null);
  }

  /** The stored snapshot, if any. */
  read(): ScreenSnapshot | null {
    return this.attempt((s) => {
      const json = s.getItem(SNAPSHOT_KEY);
      return json ? (JSON.parse(json) as ScreenSnapshot) : null;
    }, null);
  }

  /** Removes the snapshots and the open account's name (the session ended). */
  forget(): void {
    this.attempt((s) => {
      s.removeItem(SNAPSHOT_KEY);
      s.removeItem(HOME_SNAPSHOT_KEY);
      s.removeItem(ACCOUNT_KEY);
    });
  }

  private attempt<T>(use: (storage: Storage) => T, otherwise?: T): T {
    if (!this.storage) return otherwise as T;
    try {
      return use(this.storage);
    } catch (e) {
      console.error('Mailboat: could not use the screen snapshot', e);
      return otherwise as T;
    }
  }
}

/** The page's localStorage, or null where there is none or it may not be used (Node, a sandboxed frame). */
export function pageLocalStorage(): Storage | null {
  try {
    return (globalThis as { localStorage?: Storage }).localStorage ?? null;
  } catch {
    return null;
  }
}

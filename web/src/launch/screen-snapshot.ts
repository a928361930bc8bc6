import { isHomeRoute, SCREEN_SNAPSHOT_KEYS, type ScreenSnapshot } from './screen-snapshot-format.js';

const { last: LAST_KEY, home: HOME_KEY, account: ACCOUNT_KEY } = SCREEN_SNAPSHOT_KEYS;

/** A bigger screen snapshot is not kept: reading and painting it would cost the launch more than it saves. */
export const MAX_SCREEN_SNAPSHOT_CHARS = 256 * 1024;

/**
 * The screen snapshot: the HTML of what the screen showed last, kept in localStorage so that
 * the painter (screen-snapshot-painter.ts, served as the plain script /screen-snapshot.js) can
 * paint it, read-only, before any module of the app has loaded (localStorage is the one store
 * a classic script can read synchronously). The app replaces it at its first render. It only
 * ever shows data of the account open on the device:
 *
 *  - The account key names the account open on this device: set when a session opens
 *    (`opened`), removed when it ends (`forget`, before any of its data is deleted).
 *  - A screen snapshot is stored only for that account (`store` refuses any other), so a page
 *    still showing another account (another tab, a sign-out in progress) cannot leave one behind.
 *  - The painter paints a screen snapshot only when its userId is the open account and its
 *    route is the page's: the last screen's, else, at the home route, the last one of home;
 *    an account that opens drops any other's screen snapshots.
 *  - Sign-out, revocation and the account's wipe remove every key (SessionLifecycle.end,
 *    Account.wipe).
 *
 * The keys and the format are in screen-snapshot-format.ts, shared with the painter. Every
 * method is synchronous and never throws (a screen snapshot is only a head start).
 */
export class ScreenSnapshots {
  /** `storage`: localStorage in a browser; null where there is none (then nothing is kept). */
  constructor(private readonly storage: Storage | null) {}

  /** The account `userId` is now open on the device: a screen snapshot of any other account is dropped. */
  opened(userId: string): void {
    this.attempt((s) => {
      if (s.getItem(ACCOUNT_KEY) === userId) return;
      s.removeItem(LAST_KEY);
      s.removeItem(HOME_KEY);
      s.setItem(ACCOUNT_KEY, userId);
    });
  }

  /**
   * Keeps `snapshot` for the next launch to paint. Refused (false) unless its account is the
   * one open on the device; when it is too big or does not fit, the previous screen snapshot
   * is removed too (it would show an older screen than the app's own first render).
   */
  store(snapshot: ScreenSnapshot): boolean {
    return this.attempt((s) => {
      if (s.getItem(ACCOUNT_KEY) !== snapshot.userId) return false;
      const json = JSON.stringify(snapshot);
      const keys = isHomeRoute(snapshot.route) ? [LAST_KEY, HOME_KEY] : [LAST_KEY];
      for (const key of keys) {
        try {
          if (json.length > MAX_SCREEN_SNAPSHOT_CHARS) throw new RangeError('too big');
          s.setItem(key, json);
        } catch {
          s.removeItem(key); // too big, or quota exceeded
          return false;
        }
      }
      return true;
    }, false);
  }

  /** The stored screen snapshot of the home route, if any. */
  readHome(): ScreenSnapshot | null {
    return this.attempt((s) => {
      const json = s.getItem(HOME_KEY);
      return json ? (JSON.parse(json) as ScreenSnapshot) : null;
    }, null);
  }

  /** The stored screen snapshot of the last screen, if any. */
  read(): ScreenSnapshot | null {
    return this.attempt((s) => {
      const json = s.getItem(LAST_KEY);
      return json ? (JSON.parse(json) as ScreenSnapshot) : null;
    }, null);
  }

  /** Removes the screen snapshots and the open account's name (the session ended). */
  forget(): void {
    this.attempt((s) => {
      s.removeItem(LAST_KEY);
      s.removeItem(HOME_KEY);
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

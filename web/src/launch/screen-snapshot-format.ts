/**
 * What the app and the painter agree on, defined here only: the localStorage keys of the
 * screen snapshot, its format, and which routes are the same. The app's store
 * (screen-snapshot.ts) and the painter (screen-snapshot-painter.ts, built into the plain
 * script /screen-snapshot.js) both import them.
 */

/**
 * The localStorage keys. The strings are stored on devices, so they stay as they are: they
 * predate the name "screen snapshot", and an updated app must still find (and remove) what
 * the previous version stored under them.
 */
export const SCREEN_SNAPSHOT_KEYS = {
  /** The last screen's screen snapshot (a ScreenSnapshot as JSON). */
  last: 'mailboat:first-paint-html',
  /**
   * The last screen snapshot of the conversation list (the home route), kept beside the last
   * screen's: an installed app opens at its start URL, `/`, whichever screen it was left on.
   */
  home: 'mailboat:first-paint-home-html',
  /** The id of the account open on this device; a screen snapshot of any other is never painted. */
  account: 'mailboat:first-paint-account',
} as const;

export type ScreenSnapshot = {
  /** The account whose screen this is. */
  userId: string;
  /** location.hash when it was taken (see sameRoute). */
  route: string;
  /** #root's innerHTML, without transient UI and form values (see screen-snapshot-html.ts). */
  html: string;
  /** Epoch ms. */
  savedAt: number;
};

/** One spelling per route: '', '#' and '#/' (a location.hash) are all the home route. */
export const sameRoute = (hash: string): string => (hash === '#' || hash === '#/' ? '' : hash);

/** Whether `route` (a location.hash) is the home route. */
export const isHomeRoute = (route: string): boolean => sameRoute(route) === '';

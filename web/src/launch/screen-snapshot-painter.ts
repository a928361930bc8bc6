import { isHomeRoute, SCREEN_SNAPSHOT_KEYS, type ScreenSnapshot, sameRoute } from './screen-snapshot-format.js';

/**
 * Paints the last screen snapshot into #root before any module of the app has loaded, so a
 * launch shows the screen it left at once. Built on its own into the plain script
 * /screen-snapshot.js (screen-snapshot-painter-plugin.ts), which index.html runs right after
 * <div id="root">; it imports nothing at run time. The store and its contract are in
 * screen-snapshot.ts:
 *  - painted only when the screen snapshot's account is the one open on the device and its
 *    route is the page's, so no launch shows another account's or another screen: the last
 *    screen's screen snapshot, else at the home route the last home screen's;
 *  - read-only: the painted copy is inert (nothing in it can be clicked, focused or typed
 *    into) and hidden from assistive technology, and marked data-screen-snapshot;
 *  - React's first render replaces it (createRoot empties #root at its first commit).
 * Never throws: any failure leaves #root empty, as it was (a screen snapshot is only a head start).
 */
export function paintScreenSnapshot(): void {
  try {
    const root = document.getElementById('root');
    const account = localStorage.getItem(SCREEN_SNAPSHOT_KEYS.account);
    if (!root || root.firstChild || !account) return;
    // The last screen if this is its route, else (an installed app opens at /) the last home screen.
    const readable = (key: string): ScreenSnapshot | null => {
      const json = localStorage.getItem(key);
      const snapshot = json ? (JSON.parse(json) as ScreenSnapshot | null) : null;
      const fits = snapshot && snapshot.userId === account && typeof snapshot.html === 'string';
      return fits && sameRoute(snapshot.route) === sameRoute(location.hash) ? snapshot : null;
    };
    const snapshot = readable(SCREEN_SNAPSHOT_KEYS.last) || (isHomeRoute(location.hash) ? readable(SCREEN_SNAPSHOT_KEYS.home) : null);
    if (!snapshot) return;
    const painted = document.createElement('div');
    painted.setAttribute('data-screen-snapshot', String(snapshot.savedAt));
    painted.setAttribute('inert', '');
    painted.setAttribute('aria-hidden', 'true');
    painted.setAttribute('aria-busy', 'true');
    painted.style.display = 'contents'; // the app's layout applies as if it were not there
    painted.innerHTML = snapshot.html;
    root.appendChild(painted);
    // The message log opens at the newest message, as the app opens it.
    for (const log of painted.querySelectorAll('[role=log]')) log.scrollTop = log.scrollHeight;
    performance.mark('mailboat:screen-snapshot-painted'); // laid out: the next frame shows it
  } catch {
    // no screen snapshot this time
  }
}

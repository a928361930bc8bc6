// Paints the last screen snapshot into #root before any module of the app has loaded, so
// a launch shows the screen it left at once. A classic script with no imports, run by
// index.html right after <div id="root">; the format and the contract are in
// src/sync/screen-snapshot.ts (keep the keys in step with it):
//  - painted only when the snapshot's account is the one open on the device (ACCOUNT_KEY)
//    and its route is the page's, so no launch shows another account's or another screen:
//    the last screen's snapshot, else at the home route the last home screen's;
//  - read-only: the painted copy is inert (nothing in it can be clicked, focused or typed
//    into) and hidden from assistive technology, and marked data-screen-snapshot;
//  - React's first render replaces it (createRoot empties #root at its first commit).
// Any failure leaves #root empty, as it was: a snapshot is only a head start.
(() => {
  const SNAPSHOT_KEY = 'mailboat:first-paint-html';
  const HOME_SNAPSHOT_KEY = 'mailboat:first-paint-home-html';
  const ACCOUNT_KEY = 'mailboat:first-paint-account';
  const sameRoute = (hash) => (hash === '#' || hash === '#/' ? '' : hash);
  try {
    const root = document.getElementById('root');
    const account = localStorage.getItem(ACCOUNT_KEY);
    if (!root || root.firstChild || !account) return;
    // The last screen if this is its route, else (an installed app opens at /) the last home screen.
    const readable = (key) => {
      const json = localStorage.getItem(key);
      const snapshot = json ? JSON.parse(json) : null;
      const fits = snapshot && snapshot.userId === account && typeof snapshot.html === 'string';
      return fits && sameRoute(snapshot.route) === sameRoute(location.hash) ? snapshot : null;
    };
    const snapshot = readable(SNAPSHOT_KEY) || (sameRoute(location.hash) === '' ? readable(HOME_SNAPSHOT_KEY) : null);
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
    // no snapshot this time
  }
})();

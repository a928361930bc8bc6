/// <reference types="vite/client" />
import { Workbox } from 'workbox-window';

/** How often an open tab asks the server whether a new version was deployed. */
const UPDATE_CHECK_INTERVAL_MS = 60 * 60 * 1000;
/** How long "Reload" waits for the new version to take over before reloading anyway. */
const ACTIVATE_TIMEOUT_MS = 10_000;

/**
 * Registers the service worker (an ES module) in production builds, and looks for a new version
 * at every launch, whenever the app regains focus, becomes visible or gets back online, and
 * hourly, so a tab left open for days learns about a deploy.
 *
 * `onUpdate` is called when a new version has installed and waits (also one that was already
 * waiting at launch); it may be called again for a later version. Calling the `activate`
 * function it receives makes the waiting version take over and reloads the page once that
 * version controls it. Nothing else reloads the page: until then the open tab keeps running
 * the version it started with, served by the worker that controls it.
 */
export function registerServiceWorker(onUpdate: (activate: () => void) => void = () => {}): void {
  if (!('serviceWorker' in navigator) || import.meta.env.DEV) return;
  const wb = new Workbox('/sw.js', { type: 'module' });
  let registration: ServiceWorkerRegistration | undefined;
  const activate = () => {
    // Nothing waits any more (another tab already let it take over): this tab only needs the reload.
    if (!registration?.waiting) return window.location.reload();
    navigator.serviceWorker.addEventListener('controllerchange', () => window.location.reload(), { once: true });
    wb.messageSkipWaiting();
    // Should the new version never take over, the person still gets the reload they asked for.
    setTimeout(() => window.location.reload(), ACTIVATE_TIMEOUT_MS);
  };
  wb.addEventListener('waiting', () => onUpdate(activate));
  wb.register()
    .then((registered) => {
      registration = registered;
      if (registered) checkForUpdates(registered);
    })
    .catch((e: unknown) => console.warn('Mailboat could not register its service worker', e));
}

/** Asks for a new service worker script on focus, on visibility, when back online and hourly; failures are ignored. */
function checkForUpdates(registration: ServiceWorkerRegistration): void {
  let inFlight: Promise<unknown> | null = null;
  const check = () => {
    if (inFlight || !navigator.onLine) return;
    inFlight = registration
      .update()
      .catch(() => {
        // Offline or the server is down: the next focus or the next hour tries again.
      })
      .finally(() => {
        inFlight = null;
      });
  };
  window.addEventListener('focus', check);
  window.addEventListener('online', check);
  document.addEventListener('visibilitychange', () => {
    if (document.visibilityState === 'visible') check();
  });
  setInterval(check, UPDATE_CHECK_INTERVAL_MS);
}

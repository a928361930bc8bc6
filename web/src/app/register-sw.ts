/// <reference types="vite/client" />
import { Workbox } from 'workbox-window';

/**
 * Registers the service worker (an ES module) in production builds. `onUpdate` is called when
 * a new version has installed and waits; calling the function it receives makes that version
 * take over and reloads the page once it controls it. Open tabs are never reloaded unasked.
 */
export function registerServiceWorker(onUpdate: (activate: () => void) => void = () => {}): void {
  if (!('serviceWorker' in navigator) || import.meta.env.DEV) return;
  const wb = new Workbox('/sw.js', { type: 'module' });
  wb.addEventListener('waiting', () => {
    onUpdate(() => {
      wb.addEventListener('controlling', () => window.location.reload());
      wb.messageSkipWaiting();
    });
  });
  void wb.register();
}

import { useSyncExternalStore } from 'react';

/**
 * The hand-over from the service worker registration to the screens. main.tsx passes
 * `offerUpdate` to registerServiceWorker, which calls it when a new version of the app has
 * installed and waits, with the function that makes that version take over and reloads the
 * page once it controls it (a later version replaces the offer). `useUpdateOffer()` is that
 * function while a version waits, else null. Nothing reloads unless it is called.
 */
let offer: (() => void) | null = null;
const listeners = new Set<() => void>();

export function offerUpdate(activate: () => void): void {
  offer = activate;
  for (const listener of listeners) listener();
}

function subscribe(listener: () => void): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

export function useUpdateOffer(): (() => void) | null {
  return useSyncExternalStore(subscribe, () => offer);
}

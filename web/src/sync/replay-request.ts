/**
 * How the app and the service worker talk about replaying the outbox (see replay.ts).
 * The app asks for a Background Sync under REPLAY_TAG when it could not push; the browser
 * then wakes the worker when the network is back, even with every tab closed. The worker
 * tells open tabs with a REPLAYED message when it changed the outbox, and takes a REPLAY
 * message as a request to replay now.
 */
export const REPLAY_TAG = 'mailboat-outbox';
export const REPLAY = 'mailboat:replay';
export const REPLAYED = 'mailboat:replayed';

type SyncManagerLike = { register(tag: string): Promise<void> };

/**
 * Asks the browser to wake the service worker for a replay once it is online (Background
 * Sync), or, where that API is missing, asks the worker to try now. Does nothing where there
 * is no service worker (tests in Node, development builds); never rejects.
 */
export async function requestBackgroundReplay(): Promise<void> {
  const container = (globalThis as { navigator?: { serviceWorker?: ServiceWorkerContainer } }).navigator?.serviceWorker;
  if (!container?.controller) return;
  try {
    const registration = await container.ready;
    const sync = (registration as ServiceWorkerRegistration & { sync?: SyncManagerLike }).sync;
    if (sync) await sync.register(REPLAY_TAG);
    else registration.active?.postMessage({ type: REPLAY });
  } catch (e) {
    console.warn('Mailboat: could not ask for a background replay', e);
  }
}

/** Calls `listener` whenever the service worker says it replayed writes; returns the unsubscribe. */
export function onReplayed(listener: () => void): () => void {
  const container = (globalThis as { navigator?: { serviceWorker?: ServiceWorkerContainer } }).navigator?.serviceWorker;
  if (!container) return () => {};
  const handle = (event: MessageEvent) => {
    if ((event.data as { type?: unknown } | null)?.type === REPLAYED) listener();
  };
  container.addEventListener('message', handle);
  return () => container.removeEventListener('message', handle);
}

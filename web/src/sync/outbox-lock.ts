/** The Web Lock the app and the service worker both hold while they push or change the outbox. */
export const OUTBOX_LOCK = 'mailboat-outbox';

/**
 * Runs `fn` holding the outbox lock, so the page and the service worker never push the
 * same queued write at the same time: whoever comes second finds it already gone. Where
 * the platform has no Web Locks (Node, old browsers) `fn` simply runs; there is then only
 * one context that pushes.
 */
export function withOutboxLock<T>(fn: () => Promise<T>, locks: LockManager | undefined = defaultLocks()): Promise<T> {
  return locks ? (locks.request(OUTBOX_LOCK, fn) as Promise<T>) : fn();
}

const defaultLocks = (): LockManager | undefined => (globalThis as { navigator?: { locks?: LockManager } }).navigator?.locks;

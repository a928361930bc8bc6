/** The Web Lock held by whoever uploads attachments (the page or the service worker), so a file is uploaded by one of them at a time. */
export const UPLOAD_LOCK = 'mailboat-uploads';

/** Runs `fn` holding the upload lock; where there are no Web Locks, `fn` simply runs (see outbox-lock.ts). */
export function withUploadLock<T>(fn: () => Promise<T>, locks: LockManager | undefined = defaultLocks()): Promise<T> {
  return locks ? (locks.request(UPLOAD_LOCK, fn) as Promise<T>) : fn();
}

const defaultLocks = (): LockManager | undefined => (globalThis as { navigator?: { locks?: LockManager } }).navigator?.locks;

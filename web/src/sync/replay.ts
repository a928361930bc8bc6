import type { Api } from './api.js';
import { isSignedOutError } from './errors.js';
import { getMeta, openAccountDb, readCurrentAccount } from './local-db.js';
import { Outbox } from './outbox.js';
import { withOutboxLock } from './outbox-lock.js';
import { pushOutbox } from './push-outbox.js';
import { refusalFailure } from './refusal.js';
import { workerApi } from './worker-api.js';

export type ReplayOptions = {
  /** The API's origin ('' or the worker's own origin in the service worker). */
  baseUrl: string;
  fetch: typeof fetch;
  indexedDB: IDBFactory;
  /** Web Locks shared with the app; default navigator.locks. */
  locks?: LockManager;
  now?: () => number;
};

/** What a replay did. */
export type ReplayReport = {
  /** Writes the server acknowledged (ACCEPTED or DUPLICATE): removed from the outbox. */
  delivered: number;
  /** Writes refused for good: moved aside as failed, for the app to roll back and show. */
  refused: number;
  /** Writes left queued for the app, which holds the documents they need (MISSING_DEPENDENCIES). */
  left: number;
  /** Why nothing was sent although writes are queued: the device is signed out, or its refresh token is not a cookie. */
  skipped?: 'SIGNED_OUT' | 'NO_COOKIE';
};

const NOTHING: ReplayReport = { delivered: 0, refused: 0, left: 0 };

/**
 * The service worker's flush: pushes the signed-in account's outbox from IndexedDB, with no
 * tab open, by the push loop the app uses too (push-outbox.ts). It holds the outbox lock the
 * app holds while it flushes, so a write is pushed by one of them, once; the app takes in
 * the result when it next runs (replayed.ts).
 *
 * The access token is always a fresh one, refreshed with the HttpOnly cookie first (under
 * the app's refresh lock). ACCEPTED and DUPLICATE remove a write; a permanent refusal moves
 * it aside as failed, awaiting the app's rollback, and the writes behind it still go;
 * MISSING_DEPENDENCIES leaves the segment's writes to the app.
 *
 * Rejects (ClientError, e.g. NETWORK for no answer, a 5xx or a 401 that a refresh did not
 * cure) with the unsent writes still queued, so the caller tries again later. A device
 * signed out for good resolves with `skipped: 'SIGNED_OUT'` and its writes kept: the app
 * tells the person when it next opens.
 */
export async function replayOutbox(options: ReplayOptions): Promise<ReplayReport> {
  const userId = await readCurrentAccount(options.indexedDB);
  if (!userId) return NOTHING;
  const db = await openAccountDb(options.indexedDB, userId);
  try {
    return await withOutboxLock(async () => {
      const outbox = new Outbox(db, () => {});
      await outbox.load();
      if (outbox.size === 0) return NOTHING;
      // A BODY refresh token is rotated by the app alone; two rotators would revoke the device.
      if ((await getMeta(db, 'refreshToken')) !== undefined) return { ...NOTHING, left: outbox.size, skipped: 'NO_COOKIE' };
      try {
        return await pushAll(workerApi(options, db, userId), outbox);
      } catch (e) {
        if (isSignedOutError(e)) return { ...NOTHING, left: outbox.size, skipped: 'SIGNED_OUT' };
        throw e;
      } finally {
        await outbox.settled();
      }
    }, options.locks);
  } finally {
    db.close();
  }
}

/**
 * Pushes every write in write order, each as its own item. The worker holds no documents:
 * a write refused for good is moved aside as failed, awaiting the app's rollback, and the
 * writes behind it still go; a segment missing dependencies is left to the app.
 */
async function pushAll(api: Api, outbox: Outbox): Promise<ReplayReport> {
  let refused = 0;
  const delivered = await pushOutbox(api, outbox, {
    coalesce: false,
    answer: async (refusals) => {
      for (const { item, error } of refusals.refused) {
        for (const entry of item.entries) outbox.fail(entry, refusalFailure(error), true);
        refused += item.entries.length;
      }
      return refusals.missing ? 'leave' : 'retry';
    },
  });
  return { delivered, refused, left: outbox.size };
}

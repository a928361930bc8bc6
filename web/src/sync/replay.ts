import type { Api } from './api.js';
import { pushableNow } from './attachments/hold-back.js';
import { fetchPut } from './attachments/part-put.js';
import type { PendingUpload } from './attachments/records.js';
import { refusedUploads } from './attachments/refused-uploads.js';
import { runUploads } from './attachments/run-uploads.js';
import { listUploads } from './attachments/upload-records.js';
import { isSignedOutError } from './errors.js';
import { type AccountDb, getMeta, openAccountDb, readCurrentAccount } from './local-db.js';
import { Outbox } from './outbox.js';
import { withOutboxLock } from './outbox-lock.js';
import { pushOutbox } from './push-outbox.js';
import type { OutboxEntry } from './records.js';
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
 * A new message with files is pushed only once they all uploaded: the first push holds it
 * back (with what follows it in its segment), then the files of queued messages upload
 * (attachments/run-uploads.ts, outside the outbox lock, so the app's own pushes are not held
 * up meanwhile), and what they made ready is pushed. A message whose file the server refused
 * fails like a refused write.
 *
 * Rejects (ClientError, e.g. NETWORK for no answer, a 5xx or a 401 that a refresh did not
 * cure) with the unsent writes and files still queued, so the caller tries again later. A
 * device signed out for good resolves with `skipped: 'SIGNED_OUT'` and its writes kept: the
 * app tells the person when it next opens.
 */
export async function replayOutbox(options: ReplayOptions): Promise<ReplayReport> {
  const userId = await readCurrentAccount(options.indexedDB);
  if (!userId) return NOTHING;
  const db = await openAccountDb(options.indexedDB, userId);
  let api: Api | null = null;
  const once = () => (api ??= workerApi(options, db, userId));
  try {
    const first = await pushLocked(options, db, once);
    if (first.skipped || first.queued.length === 0) return first.report;
    let uploaded: number;
    try {
      const target = { api: once(), baseUrl: options.baseUrl, put: fetchPut(options.fetch) };
      uploaded = await runUploads({ target, db, queued: first.queued, now: options.now ?? Date.now });
    } catch (e) {
      if (isSignedOutError(e)) return { ...first.report, skipped: 'SIGNED_OUT' };
      throw e;
    }
    if (uploaded === 0) return first.report;
    const second = await pushLocked(options, db, once);
    const { delivered, refused } = first.report;
    return { ...second.report, delivered: delivered + second.report.delivered, refused: refused + second.report.refused };
  } finally {
    db.close();
  }
}

/** One push of the outbox holding the outbox lock: its report, and the writes it left queued. */
async function pushLocked(
  options: ReplayOptions,
  db: AccountDb,
  api: () => Api,
): Promise<{ report: ReplayReport; queued: OutboxEntry[]; skipped?: true }> {
  return withOutboxLock(async () => {
    const outbox = new Outbox(db, () => {});
    await outbox.load();
    if (outbox.size === 0) return { report: NOTHING, queued: [] };
    // A BODY refresh token is rotated by the app alone; two rotators would revoke the device.
    if ((await getMeta(db, 'refreshToken')) !== undefined) {
      return { report: { ...NOTHING, left: outbox.size, skipped: 'NO_COOKIE' }, queued: outbox.list(), skipped: true };
    }
    try {
      const report = await pushAll(api(), outbox, await listUploads(db));
      return { report, queued: outbox.list() };
    } catch (e) {
      if (isSignedOutError(e))
        return { report: { ...NOTHING, left: outbox.size, skipped: 'SIGNED_OUT' }, queued: outbox.list(), skipped: true };
      throw e;
    } finally {
      await outbox.settled();
    }
  }, options.locks);
}

/**
 * Pushes every write in write order, each as its own item. The worker holds no documents:
 * a write refused for good is moved aside as failed, awaiting the app's rollback, and the
 * writes behind it still go; a segment missing dependencies is left to the app. A new
 * message whose file was refused (`uploads`) is moved aside the same way; one whose files
 * have not all uploaded waits, with what follows it in its segment.
 */
async function pushAll(api: Api, outbox: Outbox, uploads: PendingUpload[]): Promise<ReplayReport> {
  const byId = new Map(uploads.map((u) => [u.id, u]));
  let refused = 0;
  for (const { entry, failure } of refusedUploads(outbox.list(), (id) => byId.get(id))) {
    outbox.fail(entry, failure, true);
    refused++;
  }
  const delivered = await pushOutbox(api, outbox, {
    coalesce: false,
    pushable: (queued) => pushableNow(queued, (id) => byId.has(id)),
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

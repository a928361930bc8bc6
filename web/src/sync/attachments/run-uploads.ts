import { ErrorCode } from '@mailboat/schema';
import { ClientError, type ClientErrorCode } from '../../app/model.js';
import type { AccountDb } from '../local-db.js';
import type { OutboxEntry } from '../records.js';
import { attachmentsOf } from './hold-back.js';
import type { PendingUpload } from './records.js';
import { type UploadTarget, uploadFile } from './upload-file.js';
import { withUploadLock } from './upload-lock.js';
import { readUpload, updateUpload, uploadBytes, uploadDone } from './upload-records.js';

/** The server's answers that refuse a file for good: the upload fails, and its message with it. */
const REFUSALS: ReadonlySet<ClientErrorCode> = new Set([
  ErrorCode.ATTACHMENT_TOO_LARGE,
  ErrorCode.ATTACHMENT_TYPE_NOT_ALLOWED,
  ErrorCode.NOT_FOUND,
  ErrorCode.BAD_USER_INPUT,
]);

export type UploadRun = {
  target: UploadTarget;
  db: AccountDb;
  /** The queued writes, in write order: the files of the new messages among them are uploaded, in that order. */
  queued: readonly OutboxEntry[];
  now: () => number;
  /** Told of progress within an upload (the page shows it; the worker passes nothing). */
  progress?: (record: PendingUpload, sentBytes: number) => void;
  /** Told (and waited for) after a record changed in the database: progress stored, completed, failed. */
  changed?: (record: PendingUpload) => Promise<void>;
  /** Told when every file of a queued message has uploaded: it may be pushed now. */
  ready?: (entry: OutboxEntry) => void;
};

/**
 * Uploads the pending files of queued new messages (see uploadFile), message by message in
 * write order, holding the upload lock. A completed upload's record goes (its bytes stay
 * cached); a file the server refuses for good (REFUSALS) is marked failed with the server's
 * message, and the rest of that message's files are not sent. A record that is no longer
 * pending when its turn comes (cancelled, failed, completed elsewhere) is skipped.
 *
 * Rejects with any other failure (NETWORK, a sign-out, …) with what was not uploaded still
 * pending. Resolves with how many messages became ready to push.
 */
export function runUploads(run: UploadRun): Promise<number> {
  return withUploadLock(async () => {
    let ready = 0;
    for (const entry of run.queued) {
      const ids = attachmentsOf(entry);
      if (ids.length === 0) continue;
      let waiting = false;
      for (const id of ids) {
        const record = await readUpload(run.db, id);
        if (!record) continue;
        if (record.state !== 'pending' || !(await uploadOne(run, record))) {
          waiting = true;
          break;
        }
      }
      if (!waiting) {
        ready++;
        run.ready?.(entry);
      }
    }
    return ready;
  });
}

/** Uploads one pending file; true when it completed, false when it failed for good (marked so). */
async function uploadOne(run: UploadRun, record: PendingUpload): Promise<boolean> {
  const blob = await uploadBytes(run.db, record.id);
  if (!blob) return fail(run, record, { code: ErrorCode.NOT_FOUND, message: 'The file is no longer on this device' });
  try {
    await uploadFile(run.target, record, blob, {
      sent: (sentBytes) => run.progress?.(record, sentBytes),
      partDone: async (part, sentBytes) => {
        await updateUpload(run.db, record.id, (r) => ({ ...r, partsDone: [...new Set([...r.partsDone, part])], sentBytes }));
        await run.changed?.(record);
      },
    });
  } catch (e) {
    if (e instanceof ClientError && REFUSALS.has(e.code)) return fail(run, record, { code: e.code, message: e.message });
    throw e;
  }
  await uploadDone(run.db, record.id, run.now());
  await run.changed?.(record);
  return true;
}

async function fail(run: UploadRun, record: PendingUpload, error: NonNullable<PendingUpload['error']>): Promise<false> {
  await updateUpload(run.db, record.id, (r) => (r.state === 'pending' ? { ...r, state: 'failed', error } : r));
  await run.changed?.(record);
  return false;
}

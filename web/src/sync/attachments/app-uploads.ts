import type { Account } from '../account.js';
import type { Api } from '../api.js';
import { Serial } from '../serial.js';
import type { PutPart } from './part-put.js';
import { runUploads } from './run-uploads.js';

/** Progress within an upload reaches the screens at most this often (per file); each part stored is always shown. */
const PROGRESS_EVERY_MS = 150;

export type AppUploadsOptions = {
  api: Api;
  /** The API's origin ('' for the page's own). */
  baseUrl: string;
  put: PutPart;
  now: () => number;
  /** Every file of a queued message has uploaded: push it. */
  ready: () => void;
};

/**
 * The page's uploads of the signed-in account's files (run-uploads.ts): one run at a time
 * (a run asked for meanwhile follows it), showing each file's progress on its
 * ChatAttachment.upload, and asking for a push as each message's files are all up. A run
 * rejects like runUploads (NETWORK: the files stay queued for the next run, or the worker).
 */
export class AppUploads {
  private readonly serial = new Serial();

  constructor(private readonly options: AppUploadsOptions) {}

  run(account: Account): Promise<void> {
    if (!account.attachments.hasPending) return Promise.resolve();
    return this.serial.run(async () => {
      const { api, baseUrl, put, now, ready } = this.options;
      const shown = new Map<string, number>();
      try {
        await runUploads({
          target: { api, baseUrl, put },
          db: account.db,
          queued: account.outbox.list(),
          now,
          progress: (record, sentBytes) => {
            const at = Date.now();
            if (at - (shown.get(record.id) ?? 0) < PROGRESS_EVERY_MS) return;
            shown.set(record.id, at);
            account.attachments.progress(record, sentBytes);
          },
          changed: (record) => account.attachments.refresh(record),
          ready,
        });
      } finally {
        account.attachments.stopped();
      }
    });
  }

  idle(): Promise<void> {
    return this.serial.idle();
  }
}

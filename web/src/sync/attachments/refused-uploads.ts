import type { FailedWrite, OutboxEntry } from '../records.js';
import { attachmentsOf } from './hold-back.js';
import type { PendingUpload } from './records.js';

/**
 * The queued new messages one of whose files the server refused (a failed upload record),
 * each with how it fails: the server's code and message, not retryable (the same file would
 * be refused again). The pushers treat them as refused writes: the service worker moves them
 * aside awaiting a rollback, the app rolls their segment back (rollback.ts).
 */
export function refusedUploads(
  queued: readonly OutboxEntry[],
  record: (attachmentId: string) => PendingUpload | undefined,
): { entry: OutboxEntry; failure: FailedWrite['failure'] }[] {
  const refused: { entry: OutboxEntry; failure: FailedWrite['failure'] }[] = [];
  for (const entry of queued) {
    const failed = attachmentsOf(entry)
      .map(record)
      .find((r) => r?.state === 'failed');
    if (!failed?.error) continue;
    refused.push({ entry, failure: { code: failed.error.code, message: failed.error.message, retryable: false } });
  }
  return refused;
}

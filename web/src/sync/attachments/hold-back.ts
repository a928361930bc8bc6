import { segmentKey } from '../push-plan.js';
import type { OutboxEntry } from '../records.js';

/** The attachment ids a queued write needs uploaded before it may be pushed: a new message's files; none for any other write. */
export function attachmentsOf(entry: Pick<OutboxEntry, 'op'>): readonly string[] {
  return entry.op.kind === 'send' ? (entry.op.attachments ?? []).map((a) => a.id) : [];
}

/**
 * The queued writes (`entries`, in write order) that may be pushed now: a write creating a
 * message with a file not uploaded yet (`notUploaded`: a pending, failed or cancelled
 * upload record exists) is held back, and so is everything written after it in the same
 * segment (later writes of a segment's document build on earlier ones, and are pushed in
 * order). Other segments' writes are untouched.
 */
export function pushableNow(entries: readonly OutboxEntry[], notUploaded: (attachmentId: string) => boolean): OutboxEntry[] {
  const blocked = new Set<string>();
  return entries.filter((e) => {
    const key = segmentKey(e);
    if (blocked.has(key)) return false;
    if (!attachmentsOf(e).some(notUploaded)) return true;
    blocked.add(key);
    return false;
  });
}

import { ErrorCode } from '@mailboat/schema';
import { ClientError } from '../../app/model.js';
import type { Api } from '../api.js';
import { networkError } from '../errors.js';
import { COMPLETE_UPLOAD, START_UPLOAD } from './operations.js';
import { PartRefusedError, type PutPart, partUrl } from './part-put.js';
import type { PendingUpload } from './records.js';

/** Where uploads go: the API (the two mutations), its origin (for the API's own part URLs), and how parts are sent. */
export type UploadTarget = { api: Api; baseUrl: string; put: PutPart };

/** What uploadFile tells as it goes: bytes the server holds or is receiving, and each part it stored. */
export type UploadProgress = {
  sent(sentBytes: number): void;
  partDone(part: number, sentBytes: number): Promise<void>;
};

/** Times an upload is started again for fresh part URLs (a part refused, or parts found missing at completion). */
const RESTARTS = 2;

/**
 * Uploads one file's bytes (`blob`): asks the server for the parts it still lacks (a
 * restart resumes where the last run stopped), PUTs each part, then completes the upload.
 * Resolves once completeAttachmentUpload resolved: the attachment is ready to be named by
 * a message. A part refused (its URL expired) or UPLOAD_INCOMPLETE starts over, at most
 * RESTARTS times.
 *
 * Rejects with the server's ClientError (ATTACHMENT_TOO_LARGE, ATTACHMENT_TYPE_NOT_ALLOWED,
 * NOT_FOUND, BAD_USER_INPUT are refusals for good) or NETWORK (no answer, a 5xx, or parts
 * still refused after the restarts): then nothing is lost, and a later run resumes.
 */
export async function uploadFile(target: UploadTarget, record: PendingUpload, blob: Blob, progress: UploadProgress): Promise<void> {
  for (let restart = 0; ; restart++) {
    const { startAttachmentUpload: started } = await target.api.mutation(START_UPLOAD, {
      input: { conversationId: record.conversationId, clientAttachmentId: record.id, name: record.name, size: record.size },
    });
    if (started.complete) return;
    let sent = record.size - started.parts.reduce((sum, p) => sum + p.size, 0);
    progress.sent(sent);
    try {
      for (const part of started.parts) {
        const headers = Object.fromEntries(part.headers.map((h) => [h.name, h.value]));
        const before = sent;
        await target.put(partUrl(target.baseUrl, part.url), blob.slice(part.offset, part.offset + part.size), headers, (n) =>
          progress.sent(before + Math.min(n, part.size)),
        );
        sent += part.size;
        await progress.partDone(part.number, sent);
      }
      await target.api.mutation(COMPLETE_UPLOAD, { id: started.attachmentId });
      return;
    } catch (e) {
      const again = e instanceof PartRefusedError || (e instanceof ClientError && e.code === ErrorCode.UPLOAD_INCOMPLETE);
      if (!again) throw e;
      if (restart >= RESTARTS) throw networkError((e as Error).message);
    }
  }
}

import { ErrorCode, fileNameProblem, isUuid } from '@mailboat/schema';
import { v7 as uuidv7 } from 'uuid';
import { findMembership } from '../conversations/conversations-repository.js';
import type { AttachmentRow } from '../db/tables.js';
import { AppError, badInput, notFound, rateLimited } from '../errors.js';
import type { Viewer } from '../viewer.js';
import { finishUpload } from './attachment-processing.js';
import type { AttachmentsDeps } from './attachments-deps.js';
import { findAttachment, insertAttachment, unsentBytesOf } from './attachments-repository.js';
import { signedPartPath } from './part-signatures.js';
import { objectKey } from './storage/object-store.js';
import { missingParts, planParts } from './upload-plan.js';

export type { AttachmentsDeps } from './attachments-deps.js';

/** Where to send one part: PUT its bytes to `url` with exactly `headers`. */
export type UploadTarget = { number: number; offset: number; size: number; url: string; headers: { name: string; value: string }[] };
export type UploadState = { attachmentId: string; complete: boolean; parts: UploadTarget[] };

/** When a user over ATTACHMENT_UNSENT_MAX_MB is told to try again. */
const UNSENT_RETRY_SECONDS = 60;

/** How long a part's address stays good. */
const PART_URL_SECONDS = 3600;

export const tooLarge = (message: string) => new AppError(ErrorCode.ATTACHMENT_TOO_LARGE, message);

/**
 * Starts (or resumes) the upload of a file into a conversation the viewer is a member of:
 * returns the parts still missing, each with where to PUT it. The same `clientAttachmentId`
 * again resumes that upload (only the same file of the same uploader: otherwise
 * BAD_USER_INPUT); a completed one answers `complete` with no parts. Throws NOT_FOUND (not a
 * member), BAD_USER_INPUT (name, id), ATTACHMENT_TOO_LARGE (over ATTACHMENT_MAX_MB),
 * RATE_LIMITED (a new upload would take the viewer's unsent uploads over ATTACHMENT_UNSENT_MAX_MB:
 * a disk is not filled by uploads no message names; sending some frees room).
 */
export async function startUpload(
  deps: AttachmentsDeps,
  viewer: Viewer,
  input: { conversationId: string; clientAttachmentId: string | null; name: string; size: number },
): Promise<UploadState> {
  const { config, db } = deps;
  const problem = fileNameProblem(input.name);
  if (problem) throw badInput('name', problem.replace(/^an attachment name/, 'name'));
  if (!Number.isSafeInteger(input.size) || input.size < 1) throw badInput('size', 'size must be a positive number of bytes');
  if (input.size > config.attachmentMaxBytes) {
    throw tooLarge(`A file may be at most ${config.attachmentMaxBytes} bytes; this one is ${input.size}`);
  }
  if (input.clientAttachmentId !== null && !isUuid(input.clientAttachmentId)) {
    throw badInput('clientAttachmentId', 'clientAttachmentId must be a lower-case UUID');
  }
  if (!(await findMembership(db, input.conversationId, viewer.userId))) throw notFound('Conversation');
  const id = input.clientAttachmentId ?? uuidv7();
  let row = await findAttachment(db, id);
  if (!row) {
    const unsent = await unsentBytesOf(db, viewer.userId);
    if (unsent + input.size > config.attachmentUnsentMaxBytes) {
      const mb = (bytes: number) => Math.ceil(bytes / 2 ** 20);
      throw rateLimited(
        `${mb(unsent)} MB of your uploads are not in a message yet, and at most ${mb(config.attachmentUnsentMaxBytes)} MB may wait: send them (or wait for abandoned ones to expire), then try again`,
        UNSENT_RETRY_SECONDS,
      );
    }
    const uploadId = await deps.attachments.store.startUpload(objectKey(id, 'original'));
    const row0 = {
      id,
      conversation_id: input.conversationId,
      uploader_id: viewer.userId,
      name: input.name,
      size: input.size,
      upload_id: uploadId,
    };
    if (!(await insertAttachment(db, row0))) await deps.attachments.store.abortUpload(objectKey(id, 'original'), uploadId);
    row = await findAttachment(db, id);
  }
  if (
    !row ||
    row.uploader_id !== viewer.userId ||
    row.conversation_id !== input.conversationId ||
    row.size !== input.size ||
    row.name !== input.name
  ) {
    throw badInput('clientAttachmentId', 'This id belongs to another upload: make a new one for each file');
  }
  return uploadState(deps, row);
}

/** The parts of `row`'s upload still missing, with their addresses. */
export async function uploadState(deps: AttachmentsDeps, row: AttachmentRow): Promise<UploadState> {
  if (row.completed_at || !row.upload_id) return { attachmentId: row.id, complete: row.completed_at !== null, parts: [] };
  const { store } = deps.attachments;
  const key = objectKey(row.id, 'original');
  const missing = missingParts(planParts(row.size), await store.uploadedParts(key, row.upload_id));
  const parts: UploadTarget[] = [];
  for (const p of missing) {
    const target =
      store.kind === 's3'
        ? await store.partTarget(key, row.upload_id, p.number, p.size, PART_URL_SECONDS)
        : { url: signedPartPath(deps.config.tokenSecret, row.id, p.number, p.size, PART_URL_SECONDS), headers: {} };
    parts.push({ ...p, url: target.url, headers: Object.entries(target.headers).map(([name, value]) => ({ name, value })) });
  }
  return { attachmentId: row.id, complete: false, parts };
}

/**
 * Completes the viewer's upload once every part is stored: joins them, sniffs the type from
 * the bytes, strips image metadata and makes the thumbnail (attachment-processing.ts), and
 * answers the ready attachment. Idempotent. Throws NOT_FOUND (not the viewer's upload),
 * UPLOAD_INCOMPLETE (parts missing), ATTACHMENT_TYPE_NOT_ALLOWED (the upload is then gone).
 */
export async function completeUpload(deps: AttachmentsDeps, viewer: Viewer, id: string): Promise<AttachmentRow> {
  const row = await findAttachment(deps.db, id);
  if (!row || row.uploader_id !== viewer.userId || row.deleted_at) throw notFound('Attachment');
  if (row.completed_at) return row;
  const state = await uploadState(deps, row);
  if (state.parts.length > 0) {
    throw new AppError(ErrorCode.UPLOAD_INCOMPLETE, `Parts ${state.parts.map((p) => p.number).join(', ')} are not uploaded yet`, {
      missingParts: state.parts.map((p) => p.number),
    });
  }
  return finishUpload(deps, row);
}

import { ErrorCode, fileNameProblem, limits } from '@mailboat/schema';
import { type AttachmentLimits, ClientError } from '../../app/model.js';
import type { Api } from '../api.js';
import { isNetworkError, isSignedOutError } from '../errors.js';
import { ATTACHMENT_LIMITS } from './operations.js';

/** The server's attachment limits (the `attachmentLimits` query), with the part size it uploads in. */
export type ServerLimits = AttachmentLimits & { partBytes: number };

/** What the client assumes before it has read the server's limits: the server's defaults (api/src/config.ts). */
export const DEFAULT_LIMITS: ServerLimits = Object.freeze({
  maxFileBytes: 100 * 1024 * 1024,
  maxMessageBytes: 200 * 1024 * 1024,
  maxPerMessage: limits.attachments.perMessage,
  partBytes: limits.attachments.partBytes,
});

/** The limits a client shows: the server's, never beyond the document's own. */
export function publicLimits(server: ServerLimits): AttachmentLimits {
  return {
    maxFileBytes: Math.min(server.maxFileBytes, limits.attachments.fileBytes.max),
    maxMessageBytes: server.maxMessageBytes,
    maxPerMessage: Math.min(server.maxPerMessage, limits.attachments.perMessage),
  };
}

/**
 * Throws ClientError, before anything is read or written, when `files` cannot be sent as one
 * message: BAD_USER_INPUT for no files, too many, an empty file or a refused name;
 * ATTACHMENT_TOO_LARGE for a file, or all of them together, over `max`.
 */
export function checkFiles(files: readonly File[], max: AttachmentLimits): void {
  const bad = (why: string) => new ClientError(ErrorCode.BAD_USER_INPUT, why);
  if (!Array.isArray(files) || files.length === 0) throw bad('Choose at least one file');
  if (files.length > max.maxPerMessage) throw bad(`A message holds at most ${max.maxPerMessage} files`);
  let total = 0;
  for (const file of files) {
    const problem = fileNameProblem(file.name);
    if (problem) throw bad(`${file.name.slice(0, 80)}: ${problem}`);
    if (file.size === 0) throw bad(`${file.name} is empty`);
    if (file.size > max.maxFileBytes) {
      throw new ClientError(
        ErrorCode.ATTACHMENT_TOO_LARGE,
        `${file.name} is larger than ${megabytes(max.maxFileBytes)}, the most a file may be`,
      );
    }
    total += file.size;
  }
  if (total > max.maxMessageBytes) {
    throw new ClientError(
      ErrorCode.ATTACHMENT_TOO_LARGE,
      `These files are larger than ${megabytes(max.maxMessageBytes)} together, the most one message may carry`,
    );
  }
}

const megabytes = (bytes: number) => `${Math.floor(bytes / (1024 * 1024))} MB`;

/** Reads the server's limits; null when they could not be read now (offline, say). Never rejects. */
export async function fetchLimits(api: Api): Promise<ServerLimits | null> {
  try {
    const { attachmentLimits } = await api.query(ATTACHMENT_LIMITS);
    return { ...attachmentLimits };
  } catch (e) {
    if (!isNetworkError(e) && !isSignedOutError(e)) console.warn('Mailboat: could not read the attachment limits', e);
    return null;
  }
}

import { ErrorCode } from '@mailboat/schema';
import { AppError, badInput, notFound } from '../errors.js';
import type { AttachmentsDeps } from './attachments-deps.js';
import { findAttachment } from './attachments-repository.js';
import { verifyPartSignature } from './part-signatures.js';
import { objectKey, PartSizeError } from './storage/object-store.js';
import { planParts } from './upload-plan.js';

/**
 * Stores one part of an upload sent through the API (the filesystem store), addressed by a
 * signed path (part-signatures.ts): the signature, the upload still open, and exactly the
 * part's planned size, or nothing is kept. Throws NOT_FOUND for a bad or expired signature or
 * an upload that is over, BAD_USER_INPUT when the body is not exactly the part.
 */
export async function writePartThroughApi(
  deps: AttachmentsDeps,
  id: string,
  part: number,
  params: URLSearchParams,
  body: AsyncIterable<Uint8Array>,
): Promise<void> {
  const bytes = verifyPartSignature(deps.config.tokenSecret, id, part, params);
  if (bytes === null) throw new AppError(ErrorCode.NOT_FOUND, 'This upload address is unknown or has expired: start the upload again');
  const row = await findAttachment(deps.db, id);
  const planned = row && planParts(row.size).find((p) => p.number === part);
  if (!row?.upload_id || row.completed_at || planned?.size !== bytes) throw notFound('Upload');
  try {
    await deps.attachments.store.writePart(objectKey(id, 'original'), row.upload_id, part, body, bytes);
  } catch (e) {
    if (e instanceof PartSizeError) throw badInput('body', `Part ${part} is ${bytes} bytes; ${e.message}`);
    throw e;
  }
}

import { type AttachmentRef, attachmentRefProblem, ErrorCode, isInlineImageType } from '@mailboat/schema';
import { v7 as uuidv7 } from 'uuid';
import { ClientError } from '../../app/model.js';

/**
 * A file made ready to send: its ref, as the message will carry it, and its bytes. The id
 * is a fresh UUID v7 (dated `now`, server-corrected, like message ids); the type is sniffed
 * from the first SNIFF_BYTES bytes (never the name or the browser's guess); an inline image
 * type also gets its size and a ThumbHash when the platform can decode it. Throws ClientError
 * BAD_USER_INPUT when the ref would be refused (schema's attachmentRefProblem).
 */
export async function prepareFile(file: File, now: number): Promise<{ ref: AttachmentRef; blob: Blob }> {
  // Loaded on the first send of a file (file-type and the ThumbHash encoder are a fifth of the
  // app otherwise); the build precaches the chunk, so it loads offline too.
  const [{ SNIFF_BYTES, sniffContentType }, { imageInfo }] = await Promise.all([
    import('@mailboat/schema/sniff'),
    import('./image-info.js'),
  ]);
  const head = new Uint8Array(await file.slice(0, SNIFF_BYTES).arrayBuffer());
  const type = await sniffContentType(head);
  const ref: AttachmentRef = { id: uuidv7({ msecs: now }), name: file.name, type, size: file.size };
  if (isInlineImageType(type)) Object.assign(ref, await imageInfo(file));
  const problem = attachmentRefProblem(ref);
  if (problem) throw new ClientError(ErrorCode.BAD_USER_INPUT, `${file.name.slice(0, 80)}: ${problem}`);
  return { ref, blob: file };
}

import { fileTypeFromBuffer } from 'file-type';

/** How many leading bytes sniffContentType needs (give fewer only when the file is smaller). */
export const SNIFF_BYTES = 64 * 1024;

const utf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * The content type of a file, from its leading bytes (never its name), the same on every
 * device and the server: what `file-type` recognises by signature; else `text/plain` for
 * text (valid UTF-8, no NUL; a character cut at the end of `head` is fine); else
 * `application/octet-stream`. HTML and SVG have no signature: they are text/plain here, so
 * nothing ever serves or shows them as markup.
 */
export async function sniffContentType(head: Uint8Array): Promise<string> {
  const found = await fileTypeFromBuffer(head).catch(() => undefined);
  if (found) return found.mime.toLowerCase();
  return isText(head) ? 'text/plain' : 'application/octet-stream';
}

function isText(head: Uint8Array): boolean {
  if (head.length === 0 || head.includes(0)) return false;
  // A multi-byte character may be cut by the end of `head`: allow up to 3 trailing bytes to go.
  for (let cut = 0; cut <= Math.min(3, head.length - 1); cut++) {
    try {
      utf8.decode(head.subarray(0, head.length - cut));
      return true;
    } catch {}
  }
  return false;
}

import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * Signed addresses of the parts of an upload that goes through the API (the filesystem
 * store): `/attachments/uploads/<id>/<part>?bytes=&expires=&sig=`. The signature (HMAC-SHA256
 * with the token secret) binds the attachment, the part, its exact size and the expiry, so
 * the address needs no other credentials and is good for nothing else.
 */
export const UPLOADS_PATH = '/attachments/uploads/';

const signature = (secret: Uint8Array, id: string, part: number, bytes: number, expires: number) =>
  createHmac('sha256', secret).update(`attachment-part\n${id}\n${part}\n${bytes}\n${expires}`).digest('base64url');

export function signedPartPath(secret: Uint8Array, id: string, part: number, bytes: number, expiresSeconds: number): string {
  const expires = Math.floor(Date.now() / 1000) + expiresSeconds;
  const sig = signature(secret, id, part, bytes, expires);
  return `${UPLOADS_PATH}${id}/${part}?bytes=${bytes}&expires=${expires}&sig=${sig}`;
}

/** The part's size when `params` are a valid, unexpired signature of (id, part); else null. */
export function verifyPartSignature(secret: Uint8Array, id: string, part: number, params: URLSearchParams): number | null {
  const bytes = Number(params.get('bytes'));
  const expires = Number(params.get('expires'));
  const given = Buffer.from(params.get('sig') ?? '', 'base64url');
  if (!Number.isSafeInteger(bytes) || !Number.isSafeInteger(expires) || expires < Date.now() / 1000) return null;
  const expected = Buffer.from(signature(secret, id, part, bytes, expires), 'base64url');
  return given.length === expected.length && timingSafeEqual(given, expected) ? bytes : null;
}

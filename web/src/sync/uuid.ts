/**
 * Message ids. A message is made on the device with a UUID v7 (RFC 9562: 48-bit Unix ms
 * timestamp, version 7, variant 10, random rest). The Yjs document keys messages by the
 * lower-case dashed UUID; the API names the same message `msg_` + the UUID without dashes.
 */

/** A new lower-case dashed UUID v7 from `now` (ms) and crypto.getRandomValues. */
export function uuidv7(now: number = Date.now()): string {
  const b = new Uint8Array(16);
  crypto.getRandomValues(b);
  let ms = Math.max(0, Math.floor(now));
  for (let i = 5; i >= 0; i--) {
    b[i] = ms % 256;
    ms = Math.floor(ms / 256);
  }
  b[6] = 0x70 | ((b[6] as number) & 0x0f);
  b[8] = 0x80 | ((b[8] as number) & 0x3f);
  const hex = Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/** The API's Message ID of a document message id. */
export function toMessageId(uuid: string): string {
  return `msg_${uuid.replaceAll('-', '')}`;
}

/** The document message id (dashed UUID) of an API Message ID; returns a dashed UUID unchanged. */
export function toDocId(messageId: string): string {
  const hex = messageId.startsWith('msg_') ? messageId.slice(4) : messageId.replaceAll('-', '');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

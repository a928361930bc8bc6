/**
 * The API's Bytes scalar: standard base64 with padding. Written on btoa/atob, which every
 * context has (pages, the service worker, Node); lib0's helpers pick Node's Buffer in a
 * service worker, where there is no `window`, and fail there.
 */
const CHUNK = 0x8000;

export function encodeBytes(bytes: Uint8Array): string {
  let binary = '';
  for (let i = 0; i < bytes.length; i += CHUNK) binary += String.fromCharCode(...bytes.subarray(i, i + CHUNK));
  return btoa(binary);
}

export function decodeBytes(text: string): Uint8Array {
  const binary = atob(text);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}

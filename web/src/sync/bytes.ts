import { fromBase64, toBase64 } from 'lib0/buffer';

/** The API's Bytes scalar: standard base64 with padding. */
export const encodeBytes = (bytes: Uint8Array): string => toBase64(bytes);
export const decodeBytes = (text: string): Uint8Array => fromBase64(text);

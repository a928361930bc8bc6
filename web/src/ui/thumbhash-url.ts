import { rgbaToDataURL, thumbHashToRGBA } from 'thumbhash';

/** Decoded placeholders by ThumbHash (about 1 KB each); the oldest go first past MAX. */
const cache = new Map<string, string | null>();
const MAX = 300;

/**
 * The data URL that paints a ThumbHash (base64) before its image arrives, or null for a hash
 * that does not decode (it is untrusted input: a bad one shows the plain placeholder). Encoded
 * as WebP through a canvas where there is one (~0.9 KB, against ~4-6 KB for thumbhash's own
 * uncompressed PNG: these URLs also go into the screen snapshot), else as that PNG.
 */
export function thumbhashUrl(thumbhash: string | null): string | null {
  if (!thumbhash) return null;
  const known = cache.get(thumbhash);
  if (known !== undefined) return known;
  let url: string | null;
  try {
    const bytes = Uint8Array.from(atob(thumbhash), (c) => c.charCodeAt(0));
    url = bytes.length >= 5 ? encode(thumbHashToRGBA(bytes)) : null;
  } catch {
    url = null;
  }
  if (cache.size >= MAX) cache.delete(cache.keys().next().value as string);
  cache.set(thumbhash, url);
  return url;
}

function encode({ w, h, rgba }: { w: number; h: number; rgba: Uint8Array }): string {
  const canvas = typeof document === 'undefined' ? null : document.createElement('canvas');
  const context = canvas?.getContext('2d');
  if (canvas && context) {
    canvas.width = w;
    canvas.height = h;
    context.putImageData(new ImageData(new Uint8ClampedArray(rgba), w, h), 0, 0);
    const url = canvas.toDataURL('image/webp', 0.8);
    if (url.startsWith('data:image/')) return url;
  }
  return rgbaToDataURL(w, h, rgba);
}

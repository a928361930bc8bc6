import { limits } from '@mailboat/schema';
import { rgbaToThumbHash } from 'thumbhash';
import { encodeBytes } from '../bytes.js';

/** The longest side of the image a ThumbHash is computed from (thumbhash wants at most 100×100). */
const HASH_SIDE = 100;

/**
 * An image's pixel size after its EXIF orientation (createImageBitmap's `from-image`), and a
 * ThumbHash (base64) of it; null when the platform cannot decode it (or has no
 * createImageBitmap, as in Node). The hash is left out when there is no OffscreenCanvas or
 * it comes out longer than limits.attachments.thumbhashMax. Never rejects.
 */
export async function imageInfo(blob: Blob): Promise<{ width: number; height: number; thumbhash?: string } | null> {
  if (typeof createImageBitmap !== 'function') return null;
  let bitmap: ImageBitmap;
  try {
    bitmap = await createImageBitmap(blob, { imageOrientation: 'from-image' });
  } catch {
    return null;
  }
  try {
    const { width, height } = bitmap;
    const max = limits.attachments.dimensionMax;
    if (width < 1 || height < 1 || width > max || height > max) return null;
    const thumbhash = hashOf(bitmap);
    return thumbhash ? { width, height, thumbhash } : { width, height };
  } finally {
    bitmap.close();
  }
}

function hashOf(bitmap: ImageBitmap): string | undefined {
  if (typeof OffscreenCanvas !== 'function') return undefined;
  try {
    const scale = Math.min(1, HASH_SIDE / Math.max(bitmap.width, bitmap.height));
    const w = Math.max(1, Math.round(bitmap.width * scale));
    const h = Math.max(1, Math.round(bitmap.height * scale));
    const context = new OffscreenCanvas(w, h).getContext('2d');
    if (!context) return undefined;
    context.drawImage(bitmap, 0, 0, w, h);
    const hash = encodeBytes(rgbaToThumbHash(w, h, context.getImageData(0, 0, w, h).data));
    return hash.length <= limits.attachments.thumbhashMax ? hash : undefined;
  } catch {
    return undefined;
  }
}

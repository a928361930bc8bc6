import type { CSSProperties } from 'react';
import { thumbHashToApproximateAspectRatio } from 'thumbhash';
import type { ChatAttachment } from '../app/model.js';
import { thumbhashUrl } from './thumbhash-url.js';

/** Narrowest and widest shapes a photo's box takes in a bubble; beyond them the photo is cropped (object-fit: cover). */
const MIN_RATIO = 0.5;
const MAX_RATIO = 2.4;

/** A photo's width / height: from its pixel size, else the ThumbHash's rough shape, else 4:3. */
export function aspectRatioOf(image: Pick<ChatAttachment, 'width' | 'height' | 'thumbhash'>): number {
  if (image.width && image.height) return image.width / image.height;
  if (image.thumbhash) {
    try {
      const ratio = thumbHashToApproximateAspectRatio(Uint8Array.from(atob(image.thumbhash), (c) => c.charCodeAt(0)));
      if (Number.isFinite(ratio) && ratio > 0) return ratio;
    } catch {
      // an undecodable hash: the default shape
    }
  }
  return 4 / 3;
}

/**
 * The style that gives a photo's box its final size before any byte of it arrived (so nothing
 * moves when it loads), painted with its ThumbHash meanwhile: the shape (clamped for very tall or
 * wide photos), and its pixel width, so a small image is not blown up past twice its size.
 */
export function imageBoxStyle(image: Pick<ChatAttachment, 'width' | 'height' | 'thumbhash'>, clamp = true): CSSProperties {
  const ratio = aspectRatioOf(image);
  const shown = clamp ? Math.min(MAX_RATIO, Math.max(MIN_RATIO, ratio)) : ratio;
  const placeholder = thumbhashUrl(image.thumbhash);
  return {
    '--ratio': String(shown),
    '--natural-w': image.width ? `${image.width}px` : '100vw',
    backgroundImage: placeholder ? `url("${placeholder}")` : undefined,
  } as CSSProperties;
}

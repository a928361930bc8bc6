/**
 * The raster image types shown inline (schema's isInlineImageType): only these are ever put in
 * an <img>, for a local file's preview as for a received one; anything else is a file card.
 */
const INLINE_IMAGE_TYPES = new Set(['image/jpeg', 'image/png', 'image/gif', 'image/webp', 'image/avif']);

export function isPreviewableImage(type: string): boolean {
  return INLINE_IMAGE_TYPES.has(type.toLowerCase());
}

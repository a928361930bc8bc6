import sharp, { type Metadata, type Sharp, type SharpOptions } from 'sharp';

/** What processImage makes of an image. */
export type ProcessedImage = {
  /** Pixel size after EXIF orientation; for an animated image, of one frame. */
  width: number;
  height: number;
  /** WebP of the (first frame of the) oriented image, longest side <= THUMBNAIL_SIDE, never upscaled. */
  thumbnail: Uint8Array;
  /** Only when asked to re-encode: the same format, oriented, every frame kept, ALL metadata dropped. */
  original?: Uint8Array;
};

/** Longest side of a thumbnail. */
export const THUMBNAIL_SIDE = 640;
/** Most pixels decoded (width x height, all frames of an animation together): refuses decompression bombs. */
export const MAX_INPUT_PIXELS = 100_000_000;

const INPUT: SharpOptions = { limitInputPixels: MAX_INPUT_PIXELS, failOn: 'error' };

/** The formats we decode and re-encode (the inline image types); any other input gives null. */
const ENCODERS = new Map<string, (image: Sharp) => Sharp>([
  ['jpeg', (image) => image.jpeg({ quality: 88, mozjpeg: false })],
  ['png', (image) => image.png()],
  ['webp', (image) => image.webp({ quality: 88 })],
  ['gif', (image) => image.gif()],
  ['avif', (image) => image.avif({ quality: 60 })],
]);

/**
 * Reads an image's size and makes its thumbnail and, when `reencode`, a clean copy of the
 * original: auto-oriented, re-encoded in its own format (animation kept), with every piece of
 * metadata (EXIF with GPS, XMP, IPTC, ICC, comments) dropped and colours converted to sRGB.
 *
 * Resolves null when the bytes are not a JPEG, PNG, WebP, GIF or AVIF sharp can decode, or
 * declare more than MAX_INPUT_PIXELS pixels (checked from the header, before any decoding).
 * Never rejects for bad input. Only JPEG, PNG, WebP, GIF and HEIF/AVIF decoders are ever run
 * (others are blocked process-wide on first call). At most one image is processed at a time in this process
 * (others wait in order), so a burst of uploads cannot take every libuv thread.
 */
export function processImage(bytes: Uint8Array, options: { reencode: boolean }): Promise<ProcessedImage | null> {
  onlyOurDecoders();
  return oneAtATime(async () => {
    try {
      return await processNow(bytes, options.reencode);
    } catch {
      return null;
    }
  });
}

async function processNow(bytes: Uint8Array, reencode: boolean): Promise<ProcessedImage | null> {
  const meta = await sharp(bytes, { ...INPUT, animated: true }).metadata();
  const format = formatOf(meta);
  const encode = format ? ENCODERS.get(format) : undefined;
  if (!encode || meta.width * meta.height > MAX_INPUT_PIXELS) return null;
  const frameHeight = meta.pages && meta.pages > 1 && meta.pageHeight ? meta.pageHeight : meta.height;
  const turned = (meta.orientation ?? 1) >= 5; // orientations 5-8 swap the axes
  const thumbnail = await sharp(bytes, INPUT)
    .rotate()
    .resize(THUMBNAIL_SIDE, THUMBNAIL_SIDE, { fit: 'inside', withoutEnlargement: true })
    .webp({ quality: 80 })
    .toBuffer();
  const original = reencode ? await encode(sharp(bytes, { ...INPUT, animated: true }).rotate()).toBuffer() : undefined;
  return {
    width: turned ? frameHeight : meta.width,
    height: turned ? meta.width : frameHeight,
    thumbnail,
    ...(original ? { original } : {}),
  };
}

let decodersLimited = false;

/**
 * Blocks every libvips loader but those of the five inline formats, for the whole process
 * (sharp is used nowhere else in the API): SVG, TIFF, CSV, raw, .v, … can then never be
 * parsed, even for a header. Once, on first use. Ultra HDR JPEGs load as plain JPEG.
 */
function onlyOurDecoders(): void {
  if (decodersLimited) return;
  sharp.block({ operation: ['VipsForeignLoad'] });
  sharp.unblock({
    operation: [
      'VipsForeignLoadJpegBuffer',
      'VipsForeignLoadPngBuffer',
      'VipsForeignLoadWebpBuffer',
      'VipsForeignLoadNsgifBuffer',
      'VipsForeignLoadHeifBuffer',
    ],
  });
  decodersLimited = true;
}

/** sharp's name for the input format, with AVIF told apart from the other HEIF (HEIC is not ours). */
function formatOf(meta: Metadata): string | undefined {
  if (meta.format === 'heif') return meta.compression === 'av1' ? 'avif' : undefined;
  return meta.format;
}

let tail: Promise<unknown> = Promise.resolve();

/** Runs tasks one after the other, in call order; one failing does not stop the next. */
function oneAtATime<T>(task: () => Promise<T>): Promise<T> {
  const run = tail.then(task, task);
  tail = run.catch(() => {});
  return run;
}

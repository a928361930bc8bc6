import { crc32, deflateSync } from 'node:zlib';
import sharp, { type Sharp } from 'sharp';
import { describe, expect, it } from 'vitest';
import { MAX_INPUT_PIXELS, processImage } from '../src/attachments/images.js';

/** processImage on real images made here with sharp: orientation, metadata stripping, alpha, animation, refusals. */

const solid = (
  width: number,
  height: number,
  background: string | { r: number; g: number; b: number; alpha: number },
  channels: 3 | 4 = 3,
) => sharp({ create: { width, height, channels, background } });

/** A photo as a phone takes it: EXIF with GPS position, orientation 6 (turned 90° clockwise), XMP, an ICC profile. */
async function phonePhoto(width: number, height: number): Promise<Buffer> {
  return solid(width, height, '#c03020')
    .jpeg({ quality: 90 })
    .withExif({
      IFD0: { Make: 'TestPhone', Model: 'Pro 12', Software: 'Camera 1.0' },
      IFD3: { GPSLatitudeRef: 'N', GPSLatitude: '48/1 51/1 2400/100', GPSLongitudeRef: 'E', GPSLongitude: '2/1 21/1 0/1' },
    })
    .withXmp('<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"/></x:xmpmeta>')
    .withMetadata({ orientation: 6 })
    .toBuffer();
}

/** Whether raw EXIF (as sharp's metadata() gives it) has a GPS IFD: tag 0x8825 in IFD0 of its TIFF structure. */
function exifHasGps(exif: Buffer): boolean {
  const tiff = exif.subarray(exif.subarray(0, 6).toString('latin1') === 'Exif\0\0' ? 6 : 0);
  const le = tiff.toString('latin1', 0, 2) === 'II';
  const u16 = (at: number) => (le ? tiff.readUInt16LE(at) : tiff.readUInt16BE(at));
  const ifd0 = le ? tiff.readUInt32LE(4) : tiff.readUInt32BE(4);
  for (let i = 0; i < u16(ifd0); i++) if (u16(ifd0 + 2 + i * 12) === 0x8825) return true;
  return false;
}

/** A valid PNG of width x height 1-bit grey pixels, all zero: a few KB that would decode to `width * height` pixels. */
function pngBomb(width: number, height: number): Buffer {
  const chunk = (type: string, data: Buffer) => {
    const body = Buffer.concat([Buffer.from(type, 'latin1'), data]);
    const framed = Buffer.alloc(12 + data.length);
    framed.writeUInt32BE(data.length, 0);
    body.copy(framed, 4);
    framed.writeUInt32BE(crc32(body), 8 + data.length);
    return framed;
  };
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header.set([1, 0, 0, 0, 0], 8); // bit depth 1, greyscale, deflate, no filter, no interlace
  const rows = Buffer.alloc((1 + Math.ceil(width / 8)) * height); // filter byte 0 + zero pixels, every row
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', header),
    chunk('IDAT', deflateSync(rows, { level: 9 })),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

async function animation(format: 'gif' | 'webp', frames: number, width: number, height: number): Promise<Buffer> {
  const colours = ['#ff0000', '#00ff00', '#0000ff', '#ffff00'];
  const pngs = await Promise.all(
    Array.from({ length: frames }, (_, i) =>
      solid(width, height, colours[i % 4]!, 4)
        .png()
        .toBuffer(),
    ),
  );
  const joined = sharp(pngs, { join: { animated: true } });
  const delay = Array.from({ length: frames }, () => 100);
  return (format === 'gif' ? joined.gif({ delay, loop: 0 }) : joined.webp({ delay, loop: 0 })).toBuffer();
}

describe('processImage', () => {
  it('orients a phone photo, strips every piece of its metadata and makes a webp thumbnail of at most 640', async () => {
    const photo = await phonePhoto(1600, 1200);
    const input = await sharp(photo).metadata();
    expect(input.orientation).toBe(6);
    expect(exifHasGps(input.exif!)).toBe(true);
    expect(input.xmp).toBeDefined();

    const result = await processImage(photo, { reencode: true });
    expect(result).not.toBeNull();
    expect([result!.width, result!.height]).toEqual([1200, 1600]);

    const original = await sharp(result!.original!).metadata();
    expect(original.format).toBe('jpeg');
    expect([original.width, original.height]).toEqual([1200, 1600]);
    expect(original.exif).toBeUndefined();
    expect(original.orientation).toBeUndefined();
    expect(original.xmp).toBeUndefined();
    expect(original.iptc).toBeUndefined();
    expect(original.icc).toBeUndefined();
    expect(Buffer.from(result!.original!).includes('TestPhone')).toBe(false);

    const thumbnail = await sharp(result!.thumbnail).metadata();
    expect(thumbnail.format).toBe('webp');
    expect([thumbnail.width, thumbnail.height]).toEqual([480, 640]);
    expect(thumbnail.exif).toBeUndefined();
  });

  it('leaves the original alone when not asked to re-encode', async () => {
    const result = await processImage(await phonePhoto(300, 200), { reencode: false });
    expect(result).not.toBeNull();
    expect(result!.original).toBeUndefined();
    expect([result!.width, result!.height]).toEqual([200, 300]);
    // Never upscaled: the small photo's thumbnail keeps its (oriented) size.
    const thumbnail = await sharp(result!.thumbnail).metadata();
    expect([thumbnail.format, thumbnail.width, thumbnail.height]).toEqual(['webp', 200, 300]);
  });

  it('converts colours of an image with an ICC profile to sRGB rather than dropping the profile blindly', async () => {
    // sRGB red, stored as Display P3 numbers (about 234,51,35) with the P3 profile attached.
    const p3 = await solid(64, 64, '#ff0000').withIccProfile('p3').png().toBuffer();
    expect((await sharp(p3).metadata()).icc).toBeDefined();
    const result = await processImage(p3, { reencode: true });
    const original = await sharp(result!.original!).metadata();
    expect(original.icc).toBeUndefined();
    const { data } = await sharp(result!.original!).raw().toBuffer({ resolveWithObject: true });
    expect(data[0]).toBeGreaterThan(245);
    expect(data[1]).toBeLessThan(12);
    expect(data[2]).toBeLessThan(12);
  });

  it('keeps transparency of a PNG in its thumbnail and its re-encoded original', async () => {
    const png = await solid(1280, 400, { r: 0, g: 128, b: 255, alpha: 0.5 }, 4).png().toBuffer();
    const result = await processImage(png, { reencode: true });
    expect([result!.width, result!.height]).toEqual([1280, 400]);

    const thumbnail = sharp(result!.thumbnail);
    const meta = await thumbnail.metadata();
    expect([meta.format, meta.width, meta.height, meta.hasAlpha]).toEqual(['webp', 640, 200, true]);
    const { data, info } = await thumbnail.raw().toBuffer({ resolveWithObject: true });
    expect(info.channels).toBe(4);
    expect(Math.abs(data[3]! - 128)).toBeLessThanOrEqual(2);

    const original = await sharp(result!.original!).metadata();
    expect([original.format, original.hasAlpha]).toEqual(['png', true]);
  });

  it('keeps every frame of an animated GIF and reports the size of one frame', async () => {
    const gif = await animation('gif', 3, 40, 30);
    const result = await processImage(gif, { reencode: true });
    expect([result!.width, result!.height]).toEqual([40, 30]);

    const original = await sharp(result!.original!, { animated: true }).metadata();
    expect([original.format, original.pages, original.pageHeight, original.width]).toEqual(['gif', 3, 30, 40]);
    expect(original.delay).toEqual([100, 100, 100]);

    const thumbnail = await sharp(result!.thumbnail, { animated: true }).metadata();
    expect([thumbnail.format, thumbnail.width, thumbnail.height]).toEqual(['webp', 40, 30]); // the first frame
  });

  it('keeps every frame of an animated WebP', async () => {
    const webp = await animation('webp', 4, 50, 20);
    const result = await processImage(webp, { reencode: true });
    expect([result!.width, result!.height]).toEqual([50, 20]);
    const original = await sharp(result!.original!, { animated: true }).metadata();
    expect([original.format, original.pages, original.pageHeight]).toEqual(['webp', 4, 20]);
    expect(original.delay).toEqual([100, 100, 100, 100]);
  });

  it('re-encodes AVIF as AVIF', async () => {
    const avif = await solid(64, 48, '#2060c0').avif().toBuffer();
    const result = await processImage(avif, { reencode: true });
    expect([result!.width, result!.height]).toEqual([64, 48]);
    const original = await sharp(result!.original!).metadata();
    expect([original.format, original.compression]).toEqual(['heif', 'av1']);
  });

  it('processes an Ultra HDR JPEG (with a gain map) as a plain JPEG, dropping the gain map', async () => {
    const base = await solid(64, 48, '#ff8000').jpeg().toBuffer();
    // withGainMap (sharp 0.35) is missing from sharp's type declarations.
    const ultraHdr = await (sharp(base) as Sharp & { withGainMap(): Sharp }).withGainMap().jpeg().toBuffer();
    const result = await processImage(ultraHdr, { reencode: true });
    expect([result!.width, result!.height]).toEqual([64, 48]);
    const original = await sharp(result!.original!).metadata();
    expect([original.format, original.gainMap]).toEqual(['jpeg', undefined]);
  });

  it('answers null for bytes that are not an image, or not an inline image format', async () => {
    expect(await processImage(Buffer.from('this is not an image at all'), { reencode: true })).toBeNull();
    expect(await processImage(new Uint8Array(0), { reencode: true })).toBeNull();
    const jpeg = await solid(100, 100, '#123456').jpeg().toBuffer();
    expect(await processImage(jpeg.subarray(0, 200), { reencode: true })).toBeNull();
    const svg = Buffer.from('<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><rect width="10" height="10"/></svg>');
    expect(await processImage(svg, { reencode: true })).toBeNull();
    const tiff = await solid(10, 10, '#123456').tiff().toBuffer();
    expect(await processImage(tiff, { reencode: true })).toBeNull();
  });

  it('refuses a decompression bomb from its header, without decoding it', async () => {
    const bomb = pngBomb(20_000, 20_000);
    expect(bomb.length).toBeLessThan(200_000);
    expect(20_000 * 20_000).toBeGreaterThan(MAX_INPUT_PIXELS);
    const meta = await sharp(bomb, { limitInputPixels: false }).metadata();
    expect([meta.width, meta.height]).toEqual([20_000, 20_000]);

    const rssBefore = process.memoryUsage().rss;
    const started = Date.now();
    expect(await processImage(bomb, { reencode: true })).toBeNull();
    expect(await processImage(bomb, { reencode: false })).toBeNull();
    expect(Date.now() - started).toBeLessThan(2000);
    expect(process.memoryUsage().rss - rssBefore).toBeLessThan(100 * 1024 * 1024);
  });

  it('processes one image at a time, in call order, and a failure does not stop the next', async () => {
    const images = await Promise.all([phonePhoto(2000, 1500), phonePhoto(1000, 800), phonePhoto(1200, 900)]);
    let most = 0;
    const watch = setInterval(() => {
      most = Math.max(most, sharp.counters().process);
    }, 1);
    const finished: number[] = [];
    const inputs = [images[0]!, Buffer.from('garbage'), images[1]!, images[2]!];
    const runs = inputs.map(async (input, i) => {
      const result = await processImage(input, { reencode: true });
      finished.push(i);
      return result;
    });
    const results = await Promise.all(runs);
    clearInterval(watch);
    expect(results.map((r) => r && [r.width, r.height])).toEqual([[1500, 2000], null, [800, 1000], [900, 1200]]);
    expect(finished).toEqual([0, 1, 2, 3]);
    expect(most).toBeLessThanOrEqual(1);
  });
});

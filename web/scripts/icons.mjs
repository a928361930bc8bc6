// Draws Mailboat's icon as SVG and rasterizes it once with headless Chromium (playwright-core,
// Debian's /usr/bin/chromium). Writes web/public/favicon.svg and the PNGs the manifest and
// index.html name. Run: node web/scripts/icons.mjs (from the repository root or web/).
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const publicDir = join(dirname(fileURLToPath(import.meta.url)), '..', 'public');
const BLUE = '#0b5cad';
const DEEP = '#083f78';

/** The boat and waves, drawn on a 512-unit square centred on (256, 256). */
const boat = `
  <path d="M256 92 L256 300 L382 300 Z" fill="#ffffff"/>
  <path d="M236 138 L236 300 L140 300 Z" fill="#cfe3f8"/>
  <path d="M256 120 L256 300 L370 300 Z" fill="none"/>
  <path d="M92 318 H420 L364 404 H150 Z" fill="#ffffff"/>
  <path d="M256 318 L92 318 L150 404 Z" fill="#e3eefb"/>
  <path d="M84 436 q 43 -26 86 0 t 86 0 t 86 0 t 86 0" fill="none" stroke="#8ec3fa" stroke-width="18" stroke-linecap="round"/>`;

/** A rounded tile with the boat filling most of it: favicon and "any" icons. */
const anySvg = `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 512 512">
  <title>Mailboat</title>
  <clipPath id="tile"><rect x="16" y="16" width="480" height="480" rx="112"/></clipPath>
  <g clip-path="url(#tile)">
    <rect width="512" height="512" fill="${BLUE}"/>
    <rect y="318" width="512" height="194" fill="${DEEP}"/>
  </g>
  <g transform="translate(256 262) scale(0.86) translate(-256 -262)">${boat}
  </g>
</svg>
`;

/** Full-bleed background, boat inside the central safe circle (radius 40%): maskable icons. */
const maskableSvg = `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 512 512">
  <rect width="512" height="512" fill="${BLUE}"/>
  <rect y="${262 + 0.72 * 56}" width="512" height="512" fill="${DEEP}"/>
  <g transform="translate(256 262) scale(0.72) translate(-256 -262)">${boat}
  </g>
</svg>
`;

const outputs = [
  { file: 'icons/icon-192.png', svg: anySvg, size: 192, transparent: true },
  { file: 'icons/icon-512.png', svg: anySvg, size: 512, transparent: true },
  { file: 'icons/maskable-192.png', svg: maskableSvg, size: 192, transparent: false },
  { file: 'icons/maskable-512.png', svg: maskableSvg, size: 512, transparent: false },
  // iOS draws its own rounded corners and ignores transparency: use the full-bleed art.
  { file: 'icons/apple-touch-icon.png', svg: maskableSvg, size: 180, transparent: false },
];

mkdirSync(join(publicDir, 'icons'), { recursive: true });
writeFileSync(join(publicDir, 'favicon.svg'), anySvg);

const profile = mkdtempSync(join(tmpdir(), 'mailboat-icons-'));
const context = await chromium.launchPersistentContext(profile, {
  executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
  headless: true,
  args: [
    '--no-sandbox',
    '--disable-gpu',
    '--no-first-run',
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-sync',
  ],
});
try {
  const page = await context.newPage();
  for (const { file, svg, size, transparent } of outputs) {
    await page.setViewportSize({ width: size, height: size });
    const sized = svg.replace('<svg ', `<svg width="${size}" height="${size}" `);
    await page.setContent(`<!doctype html><html><body style="margin:0;background:transparent">${sized}</body></html>`);
    const png = await page.locator('svg').screenshot({ omitBackground: transparent, type: 'png' });
    writeFileSync(join(publicDir, file), png);
    console.log(`wrote public/${file} (${size}x${size}, ${png.length} bytes)`);
  }
} finally {
  await context.close();
  rmSync(profile, { recursive: true, force: true });
}

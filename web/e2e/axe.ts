import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { Page } from 'playwright-core';

const require = createRequire(import.meta.url);
const AXE_SOURCE = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');

/**
 * Loads axe-core into the page (as `window.axe`). Evaluated through the DevTools protocol: the
 * page's Content-Security-Policy refuses inline <script> tags, which is what addScriptTag adds.
 */
export async function injectAxe(page: Page): Promise<void> {
  await page.evaluate(AXE_SOURCE);
}

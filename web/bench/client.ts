/**
 * Client figures (issue 6, part 6), in real headless Chromium against the real API:
 *  - cold start: a closed browser reopened on a conversation whose MESSAGES (default 10,000)
 *    messages are on the device, to the newest message on screen; beside the same run's cold
 *    start of the app shell alone (the sign-in screen, nothing stored);
 *  - tap to visible: Enter in the composer to the message in the DOM at the next frame,
 *    beside one frame (1000/60 ms).
 * Run: `cd api && node --import tsx ../web/bench/client.ts` (npm run bench runs it); NO_MINIFY=1
 * builds the app unminified, for readable CPU profiles; CLIENT_PROFILE=1 writes the page's CPU
 * profile of the last cold start and of the taps to bench-results/client-*.cpuprofile
 * (summarize them with api/bench/profile-summary.ts); NO_SNAPSHOT=1 measures the cold start
 * without the screen snapshot (src/launch/screen-snapshot-painter.ts), from the app's own first render.
 * Writes bench-results/client-<time>.json and prints a table.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { segmentOf, segmentStart } from '@mailboat/schema';
import type { CDPSession, Page } from 'playwright-core';
import { pct } from '../../api/bench/lib.js';
import { App } from '../e2e/app.js';
import { Profile } from '../e2e/browser.js';
import { backdateConversation, gql, seedMessages, signUp } from '../e2e/seed.js';
import { servePwa } from '../e2e/served-pwa.js';
import { SCREEN_SNAPSHOT_KEYS } from '../src/launch/screen-snapshot-format.js';

const MESSAGES = Number(process.env.MESSAGES ?? 10_000);
const COLD_STARTS = Number(process.env.COLD_STARTS ?? 5);
const SENDS = Number(process.env.SENDS ?? 30);
const web = join(import.meta.dirname, '..');

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? Number.NaN;

/**
 * From the page's first script: when the text `wanted` first appears in the message log (ms
 * since navigation start), and which paint put it there: the screen snapshot (painted from
 * localStorage before the bundle runs), the preview (the app's read-only rows from IndexedDB),
 * or the real view.
 */
function watchFor(wanted: string) {
  const w = window as unknown as { __seenAt?: number; __paintedBy?: string };
  new MutationObserver((_, observer) => {
    for (const el of document.querySelectorAll('[role=log] .message-text')) {
      if (el.textContent === wanted) {
        w.__seenAt = performance.now();
        w.__paintedBy = el.closest('[data-screen-snapshot]')
          ? 'screen snapshot'
          : el.closest('ol.messages[inert]')
            ? 'preview'
            : 'real view';
        observer.disconnect();
        return;
      }
    }
  }).observe(document, { subtree: true, childList: true, characterData: true });
}

const PROFILE = process.env.CLIENT_PROFILE !== undefined;
/** Each cold start removes the screen snapshot before the page's scripts run. */
const NO_SNAPSHOT = process.env.NO_SNAPSHOT !== undefined;

/** Starts the page's CPU profiler (CLIENT_PROFILE); the returned function stops it and writes `name`.cpuprofile. */
async function profilePage(page: Page, folder: string, name: string): Promise<() => Promise<void>> {
  if (!PROFILE) return async () => {};
  const cdp: CDPSession = await page.context().newCDPSession(page);
  await cdp.send('Profiler.enable');
  await cdp.send('Profiler.setSamplingInterval', { interval: 200 });
  await cdp.send('Profiler.start');
  return async () => {
    const { profile } = await cdp.send('Profiler.stop');
    mkdirSync(folder, { recursive: true });
    writeFileSync(join(folder, `${name}.cpuprofile`), JSON.stringify(profile));
    await cdp.detach();
  };
}

async function main() {
  const folder = process.env.BENCH_OUT ?? join(web, '..', 'bench-results');
  // A build of its own, so browser tests running beside it keep theirs.
  const served = await servePwa('bench', {
    postgresUrl: process.env.BENCH_DATABASE_URL,
    viteArgs: process.env.NO_MINIFY ? ['--minify', 'false'] : [],
  });
  const { appUrl, databaseUrl } = served;
  const profiles: Profile[] = [];
  try {
    const suffix = Math.random().toString(36).slice(2, 7);
    const ana = await signUp(appUrl, `ana_${suffix}`, 'Ana Bench');
    const bo = await signUp(appUrl, `bo_${suffix}`, 'Bo Bench');
    const direct = await gql(appUrl, 'mutation($u: ID!) { openDirectConversation(userId: $u) { id } }', { u: bo.userId }, ana.token);
    const conversationId = direct.openDirectConversation.id as string;
    // Every message in the current hour's segment, so the device holds them all after its first sync.
    let now = Date.now();
    if (now - segmentStart(segmentOf(now)) < 5000) await new Promise((r) => setTimeout(r, 5000));
    now = Date.now();
    const texts = Array.from({ length: MESSAGES }, (_, i) => `message ${i + 1}: ${'lorem ipsum dolor sit amet '.repeat(6).slice(0, 150)}`);
    await backdateConversation(databaseUrl, conversationId, segmentStart(segmentOf(now)));
    await seedMessages(appUrl, bo, conversationId, texts, { from: segmentStart(segmentOf(now)) + 1, to: now - 1000 }, 400);
    const newest = texts.at(-1) as string;
    const path = `/#/c/${conversationId}`;

    // The shell alone: a fresh profile, cold, to the sign-in form.
    const shell: number[] = [];
    for (let i = 0; i < COLD_STARTS; i++) {
      const p = await Profile.open(`shell-${i}`, appUrl);
      profiles.push(p);
      await p.goto();
      await p.restart('/');
      await p.page.getByRole('button', { name: 'Sign in' }).waitFor();
      shell.push(await p.page.evaluate(() => performance.now()));
      await p.close();
    }

    // The device: sign in, open the conversation, wait until the newest message is on screen.
    const device = await Profile.open('device', appUrl);
    profiles.push(device);
    await device.goto();
    await new App(device).signIn(`ana_${suffix}`);
    // The profile's own origin (its proxy): the API's origin would be another origin, with storage of its own.
    await device.page.goto(new URL(path, device.appUrl).toString());
    await device.page.locator('.message-text', { hasText: newest }).waitFor({ timeout: 120_000 });
    await device.page.waitForFunction(
      () => document.querySelector('[role=status][data-network]')?.getAttribute('data-syncing') === 'false',
      null,
      {
        timeout: 120_000,
      },
    );
    await device.page.waitForTimeout(2000);

    const cold: number[] = [];
    const paintedBy: string[] = [];
    let stopColdProfile = async () => {};
    for (let i = 0; i < COLD_STARTS; i++) {
      await device.restart(path, async (page) => {
        await page.addInitScript(watchFor, newest);
        if (NO_SNAPSHOT) await page.addInitScript((key) => localStorage.removeItem(key), SCREEN_SNAPSHOT_KEYS.last);
        if (i === COLD_STARTS - 1) stopColdProfile = await profilePage(page, folder, 'client-cold-start');
      });
      await device.page.waitForFunction(() => (window as unknown as { __seenAt?: number }).__seenAt !== undefined, null, {
        timeout: 60_000,
      });
      const seen = await device.page.evaluate(() => {
        const w = window as unknown as { __seenAt: number; __paintedBy: string };
        return { at: w.__seenAt, paintedBy: w.__paintedBy };
      });
      cold.push(seen.at);
      paintedBy.push(seen.paintedBy);
      console.error(
        await device.page.evaluate(() => {
          const n = performance.getEntriesByType('navigation')[0] as PerformanceNavigationTiming;
          const r = (performance.getEntriesByType('resource') as PerformanceResourceTiming[]).map(
            (e) => `${e.name.split('/').pop()} ${e.startTime.toFixed(0)}-${e.responseEnd.toFixed(0)}`,
          );
          const marks = performance.getEntriesByType('mark').map((m) => `${m.name}@${m.startTime.toFixed(0)}`);
          const fcp = performance.getEntriesByName('first-contentful-paint')[0]?.startTime ?? Number.NaN;
          return `workerStart=${n.workerStart.toFixed(0)} fetchStart=${n.fetchStart.toFixed(0)} responseStart=${n.responseStart.toFixed(0)} responseEnd=${n.responseEnd.toFixed(0)} domInteractive=${n.domInteractive.toFixed(0)} dcl=${n.domContentLoadedEventEnd.toFixed(0)} load=${n.loadEventEnd.toFixed(0)} fcp=${fcp.toFixed(0)} | ${r.join(', ')} | ${marks.join(' ')}`;
        }),
      );
      console.error(`cold start ${i + 1}: ${seen.at.toFixed(0)} ms (${seen.paintedBy})`);
    }
    await stopColdProfile();

    // Tap to visible: keydown Enter to the new text in the DOM, then to the next animation frame.
    const composer = device.page.getByLabel('Message', { exact: true });
    const taps: number[] = [];
    const stopTapProfile = await profilePage(device.page, folder, 'client-taps');
    for (let i = 0; i < SENDS; i++) {
      const text = `tap ${i} ${Math.random().toString(36).slice(2, 8)}`;
      await composer.fill(text);
      const ms = await composer.evaluate(
        (box, wanted) =>
          new Promise<number>((resolve) => {
            let t0 = 0;
            const observer = new MutationObserver(() => {
              for (const el of document.querySelectorAll('[role=log] .message-text')) {
                if (el.textContent === wanted) {
                  observer.disconnect();
                  requestAnimationFrame(() => resolve(performance.now() - t0));
                  return;
                }
              }
            });
            observer.observe(document, { subtree: true, childList: true, characterData: true });
            t0 = performance.now();
            box.dispatchEvent(new KeyboardEvent('keydown', { key: 'Enter', code: 'Enter', bubbles: true, cancelable: true }));
          }),
        text,
      );
      taps.push(ms);
    }

    await stopTapProfile();
    const frame = 1000 / 60;
    const results = {
      machine: '2 cores; browser, API and Postgres on one machine',
      messages: MESSAGES,
      coldStartMs: { median: median(cold), all: cold, paintedBy },
      shellColdStartMs: { median: median(shell), all: shell },
      coldStartVsShell: median(cold) / median(shell),
      tapToVisibleMs: { p50: pct(taps, 50), p95: pct(taps, 95), max: Math.max(...taps) },
      tapToVisibleVsFrame: pct(taps, 50) / frame,
      targets: { coldStartMs: 300, tapToVisibleMs: 16 },
    };
    mkdirSync(folder, { recursive: true });
    const file = join(folder, `client-${new Date().toISOString().replaceAll(':', '-')}.json`);
    writeFileSync(file, `${JSON.stringify(results, null, 2)}\n`);
    console.table({
      [`cold start, ${MESSAGES} messages on the device`]: {
        result: `${median(cold).toFixed(0)} ms`,
        limit: `shell ${median(shell).toFixed(0)} ms`,
        ratio: results.coldStartVsShell.toFixed(2),
        target: '< 300 ms',
      },
      'tap to visible (p50 / p95)': {
        result: `${pct(taps, 50).toFixed(1)} / ${pct(taps, 95).toFixed(1)} ms`,
        limit: `one frame ${frame.toFixed(1)} ms`,
        ratio: results.tapToVisibleVsFrame.toFixed(2),
        target: '< 16 ms',
      },
    });
    console.log(`written to ${file}`);
  } finally {
    for (const p of profiles) await p.close();
    await served.stop();
  }
}

await main();

import { createMessage, deleteMessage, editMessage, segmentOf, segmentStart } from '@mailboat/schema';
import type { Page } from 'playwright-core';
import { v7 as uuidv7 } from 'uuid';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import * as Y from 'yjs';
import { SCREEN_SNAPSHOT_KEYS } from '../src/launch/screen-snapshot-format.js';
import { SCREEN_SNAPSHOT_SCRIPT } from '../src/launch/screen-snapshot-painter-plugin.js';
import { App, PASSWORD } from './app.js';
import { Profile } from './browser.js';
import { backdateConversation, gql } from './seed.js';

const unique = () => Math.random().toString(36).slice(2, 8);
/** Above the history size from which a launch shows the preview (launch/preview.ts). */
const MESSAGES = 1100;

type Bo = { token: string; userId: string };

/** Bo's device, outside the browser: one segment document whose updates it pushes. */
class BoDevice {
  readonly doc = new Y.Doc();
  readonly ids: string[] = [];
  constructor(
    private readonly appUrl: string,
    private readonly bo: Bo,
    private readonly conversationId: string,
    private readonly segment: number,
  ) {}

  /** Applies `change` to the document in one transaction and pushes its update. */
  async write(change: (doc: Y.Doc) => void): Promise<void> {
    let update: Uint8Array = new Uint8Array();
    this.doc.once('update', (u: Uint8Array) => {
      update = u;
    });
    this.doc.transact(() => change(this.doc));
    const data = await gql(
      this.appUrl,
      'mutation($u: [SegmentUpdateInput!]!) { pushUpdates(updates: $u) { results { status } } }',
      { u: [{ conversationId: this.conversationId, segment: this.segment, update: Buffer.from(update).toString('base64') }] },
      this.bo.token,
    );
    expect(data.pushUpdates.results).toEqual([{ status: 'ACCEPTED' }]);
  }

  async send(texts: string[], from: number, to: number): Promise<void> {
    const at = (i: number) => from + Math.floor(((to - from) * i) / (texts.length - 1));
    for (let start = 0; start < texts.length; start += 250) {
      await this.write((doc) => {
        texts.slice(start, start + 250).forEach((text, j) => {
          const createdAt = at(start + j);
          const id = uuidv7({ msecs: createdAt });
          this.ids.push(id);
          createMessage(doc, { id, author: this.bo.userId, createdAt, text });
        });
      });
    }
  }
}

/**
 * Runs in the page from its first script: when the app's first message rows appear (past the
 * screen snapshot painted before the app's code runs), notes whether they were the read-only
 * preview and what they said, tags their elements (to tell later whether the real view kept
 * them), and at once types `text` in the composer and presses Enter.
 */
function sendOnPreview(text: string) {
  const w = window as unknown as { __preview?: { preview: boolean; texts: string[]; sentWhilePreview: boolean } };
  new MutationObserver((_, observer) => {
    if (document.querySelector('[data-screen-snapshot]')) return;
    const list = document.querySelector('[role=log] ol.messages');
    const box = document.getElementById('composer-input') as HTMLTextAreaElement | null;
    if (!list?.querySelector('[data-message-id]') || !box) return;
    observer.disconnect();
    const preview = list.hasAttribute('inert');
    for (const row of list.querySelectorAll('[data-message-id]')) (row as unknown as { __preview: boolean }).__preview = true;
    const texts = [...list.querySelectorAll('.message-text')].map((e) => (e.textContent ?? '').trim());
    Object.getOwnPropertyDescriptor(HTMLTextAreaElement.prototype, 'value')?.set?.call(box, text);
    box.dispatchEvent(new Event('input', { bubbles: true }));
    box.dispatchEvent(new KeyboardEvent('keydown', { key: 'Enter', code: 'Enter', bubbles: true, cancelable: true }));
    w.__preview = { preview, texts, sentWhilePreview: list.hasAttribute('inert') };
  }).observe(document, { subtree: true, childList: true });
}

/** Runs in the page: whether the account's stored PreviewRecord (meta key 'firstPaint') shows a message with this text. */
async function previewHolds(newest: string): Promise<boolean> {
  const names = (await indexedDB.databases()).map((d) => d.name ?? '').filter((n) => /^mailboat:[^:]+$/.test(n));
  for (const name of names) {
    const db = await new Promise<IDBDatabase>((resolve, reject) => {
      const open = indexedDB.open(name);
      open.onsuccess = () => resolve(open.result);
      open.onerror = () => reject(open.error);
    });
    try {
      if (!db.objectStoreNames.contains('meta')) continue;
      const record = await new Promise<any>((resolve, reject) => {
        const get = db.transaction('meta').objectStore('meta').get('firstPaint');
        get.onsuccess = () => resolve(get.result);
        get.onerror = () => reject(get.error);
      });
      if (record?.views?.some((v: any) => v.messages.some((m: any) => m.text === newest))) return true;
    } finally {
      db.close();
    }
  }
  return false;
}

/**
 * Runs in the page from its first script: notes when the screen snapshot is painted (and
 * whether the document was still being parsed, so no module could have run), when the app
 * replaces it, and whether the message log was ever empty in between.
 */
function watchSnapshot() {
  const w = window as unknown as { __snapshot: { paintedWhile?: string; replaced: boolean; emptyBetween: boolean } };
  w.__snapshot = { replaced: false, emptyBetween: false };
  new MutationObserver(() => {
    const s = w.__snapshot;
    const painted = document.querySelector('[data-screen-snapshot]') !== null;
    if (painted && s.paintedWhile === undefined) s.paintedWhile = document.readyState;
    if (s.paintedWhile === undefined) return;
    if (!painted) s.replaced = true;
    if (document.querySelector('#root [role=log] .message-text') === null) s.emptyBetween = true;
  }).observe(document, { subtree: true, childList: true });
}

/** Runs in the page: the stored screen snapshot of the last screen (localStorage, under `key`), or null. */
function storedSnapshot(key: string): { userId: string; route: string; html: string } | null {
  const json = localStorage.getItem(key);
  return json ? JSON.parse(json) : null;
}

describe('the launch of a long conversation after a cold start', () => {
  const appUrl = inject('appUrl');
  let ana: App;
  let boDevice: BoDevice;
  let path = '';
  const anaHandle = `ana_${unique()}`;
  const boHandle = `bo_${unique()}`;

  beforeAll(async () => {
    ana = new App(await Profile.open('ana-launch', appUrl));
    await ana.profile.goto();
    await ana.signUp(anaHandle, 'Ana Paint');
    const data = await gql(appUrl, 'mutation($i: SignUpInput!) { signUp(input: $i) { accessToken user { id } } }', {
      i: {
        handle: boHandle,
        displayName: 'Bo Paint',
        password: PASSWORD,
        refreshTokenDelivery: 'BODY',
        device: { name: 'seeder', platform: 'test', appVersion: '1' },
      },
    });
    const bo: Bo = { token: data.signUp.accessToken, userId: data.signUp.user.id };
    await ana.startDirect(boHandle);
    path = new URL(ana.page.url()).hash.replace(/^#/, '/#');
    const conversationId = decodeURIComponent(path.replace(/^\/#\/c\//, ''));

    if (Date.now() - segmentStart(segmentOf(Date.now())) < 5000) await new Promise((r) => setTimeout(r, 5000));
    const now = Date.now();
    boDevice = new BoDevice(appUrl, bo, conversationId, segmentOf(now));
    await backdateConversation(inject('databaseUrl'), conversationId, segmentStart(segmentOf(now))); // the history starts before the conversation was opened here
    const texts = Array.from({ length: MESSAGES }, (_, i) => `message ${i + 1}`);
    await boDevice.send(texts, Math.max(segmentStart(segmentOf(now)) + 1, now - 20 * 60_000), now - 1000);
    await ana.message(`message ${MESSAGES}`).waitFor({ timeout: 120_000 });
    await ana.page.waitForFunction(
      () => document.querySelector('[role=status][data-network]')?.getAttribute('data-syncing') === 'false',
      null,
      {
        timeout: 60_000,
      },
    );
    // The PreviewRecord is written shortly after a change: wait until it holds the newest message.
    for (let waited = 0; !(await ana.page.evaluate(previewHolds, `message ${MESSAGES}`)); waited += 200) {
      if (waited > 30_000) throw new Error('The PreviewRecord never held the newest message');
      await new Promise((r) => setTimeout(r, 200));
    }
  });

  afterAll(async () => {
    await ana?.profile.close();
  });

  it('shows the preview at once, then the real view in place (changes made meanwhile win), and sends what was sent meanwhile', async () => {
    const newest = boDevice.ids.at(-1) as string;
    const edited = boDevice.ids.at(-2) as string;
    await ana.profile.restart(path, async (page) => {
      // While Ana's browser is closed, Bo deletes his newest message and edits the one before.
      await boDevice.write((doc) => deleteMessage(doc, newest));
      await boDevice.write((doc) => editMessage(doc, edited, `message ${MESSAGES - 1}, edited`, Date.now(), uuidv7()));
      await page.addInitScript(sendOnPreview, 'sent while opening');
    });

    await ana.message('sent while opening').waitFor({ timeout: 60_000 });
    const first = await ana.page.evaluate(
      () => (window as unknown as { __preview: { preview: boolean; texts: string[]; sentWhilePreview: boolean } }).__preview,
    );
    expect(first.preview).toBe(true);
    expect(first.sentWhilePreview).toBe(true);
    // The preview showed the last run's rows, stale as they were...
    expect(first.texts.slice(-2)).toEqual([`message ${MESSAGES - 1}`, `message ${MESSAGES}`]);
    // ...and the real view corrects them.
    await ana.message(`message ${MESSAGES - 1}, edited`).waitFor({ timeout: 30_000 });
    await expect.poll(() => ana.texts()).not.toContain(`message ${MESSAGES}`);
    const texts = await ana.texts();
    expect(texts.slice(-3)).toEqual([`message ${MESSAGES - 1}, edited`, 'This message was deleted', 'sent while opening']);
    expect(texts.filter((t) => t === 'sent while opening')).toHaveLength(1);
    expect(await ana.page.locator('[role=log] ol.messages[inert]').count()).toBe(0);

    // The rows the preview painted were kept (same keys: not rebuilt), and the log is still at the bottom.
    const kept = await ana
      .message(`message ${MESSAGES - 2}`)
      .evaluate((row) => (row as unknown as { __preview?: boolean }).__preview === true);
    expect(kept).toBe(true);
    const fromBottom = await ana.messageLog().evaluate((log) => log.scrollHeight - log.scrollTop - log.clientHeight);
    expect(fromBottom).toBeLessThan(48);

    // The send was written for real: it reaches the server and survives another cold start.
    await ana.expectTick('sent while opening', 'sent');
    await ana.profile.restart(path);
    await ana.message('sent while opening').waitFor({ timeout: 60_000 });
    await expect
      .poll(() => ana.texts().then((t) => t.slice(-3)))
      .toEqual([`message ${MESSAGES - 1}, edited`, 'This message was deleted', 'sent while opening']);
  });

  it('paints the last screen before the app’s code has loaded, read-only, and the app takes its place with no row twice', async () => {
    const newest = 'sent while opening';
    await expect
      .poll(() => ana.page.evaluate(storedSnapshot, SCREEN_SNAPSHOT_KEYS.last).then((s) => s?.html.includes(newest)), { timeout: 30_000 })
      .toBe(true);
    let release = () => {};
    const released = new Promise<void>((resolve) => {
      release = resolve;
    });
    let bundleRequested = false;
    let opened: (page: Page) => void = () => {};
    const opening = new Promise<Page>((resolve) => {
      opened = resolve;
    });
    // The launch finishes loading only once the bundle is released.
    const launched = ana.profile.restart(path, async (page) => {
      // The app's bundle is held on the network until released (the service worker, which
      // would answer from its cache, is bypassed for this page).
      const cdp = await page.context().newCDPSession(page);
      await cdp.send('Network.enable');
      await cdp.send('Network.setBypassServiceWorker', { bypass: true });
      await page.route(/\/assets\/index-[^/]*\.js$/, async (route) => {
        bundleRequested = true;
        await released;
        await route.continue();
      });
      await page.addInitScript(watchSnapshot);
      opened(page);
    });
    const page = await Promise.race([opening, launched.then(() => opening)]);
    const painted = page.locator('[data-screen-snapshot]');
    const newestRow = painted.locator('[role=log] .message-text', { hasText: newest });
    await newestRow.waitFor({ timeout: 30_000 });
    await expect.poll(() => bundleRequested).toBe(true);
    expect(await page.evaluate(() => (window as any).__snapshot)).toMatchObject({ paintedWhile: 'loading', replaced: false });
    // The newest rows, scrolled into view as the app opens the log...
    expect(
      await newestRow.evaluate((el) => {
        const r = el.getBoundingClientRect();
        return r.height > 0 && r.top >= 0 && r.bottom <= window.innerHeight;
      }),
    ).toBe(true);
    expect(await painted.locator('[data-message-id]').count()).toBeGreaterThan(10);
    await ana.profile.screenshot('launch-screen-snapshot');
    // ...read-only: inert, hidden from assistive technology, nothing focusable or clickable.
    expect(await painted.getAttribute('inert')).toBe('');
    expect(await painted.getAttribute('aria-hidden')).toBe('true');
    const composer = painted.locator('#composer-input');
    expect(
      await composer.evaluate((box) => {
        (box as HTMLTextAreaElement).focus();
        return document.activeElement === box;
      }),
    ).toBe(false);
    const url = page.url();
    const send = await painted.getByText('Send', { exact: true }).boundingBox();
    await page.mouse.click(send!.x + send!.width / 2, send!.y + send!.height / 2); // would submit its form
    await page.waitForTimeout(300);
    expect(page.url()).toBe(url);
    expect(await painted.count()).toBe(1);
    expect(await page.getByRole('log', { name: 'Messages' }).count()).toBe(0); // the app itself is not there yet

    release();
    await launched;
    await ana.messageLog().waitFor({ timeout: 60_000 });
    await expect.poll(() => painted.count()).toBe(0);
    const seen = await page.evaluate(() => (window as any).__snapshot);
    expect(seen).toMatchObject({ paintedWhile: 'loading', replaced: true, emptyBetween: false });
    const texts = await ana.texts();
    expect(texts.filter((t) => t === newest)).toHaveLength(1);
    expect(await page.locator('.message-text', { hasText: newest }).count()).toBe(1);
    const ids = await page.locator('[data-message-id]').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-message-id')));
    expect(new Set(ids).size).toBe(ids.length);
    expect(texts.at(-1)).toBe(newest);
    await ana.profile.screenshot('launch-screen-snapshot-replaced');
    // The painter is precached (under its revision), so an offline launch paints too.
    expect(
      await page.evaluate(async (url) => (await caches.match(url, { ignoreSearch: true })) !== undefined, SCREEN_SNAPSHOT_SCRIPT),
    ).toBe(true);
  });

  it('shows no snapshot after sign-out, not even at the address it was taken at', async () => {
    await ana.page.goto(new URL('/#/profile', ana.profile.appUrl).toString());
    await ana.page.getByRole('button', { name: 'Sign out', exact: true }).click();
    await ana.page.getByRole('button', { name: 'Sign in' }).waitFor();
    expect(
      await ana.page.evaluate(
        (keys) => keys.map((key) => localStorage.getItem(key)),
        [SCREEN_SNAPSHOT_KEYS.last, SCREEN_SNAPSHOT_KEYS.account],
      ),
    ).toEqual([null, null]);

    await ana.profile.restart(path, (page) => page.addInitScript(watchSnapshot));
    await ana.page.getByRole('button', { name: 'Sign in' }).waitFor({ timeout: 30_000 });
    expect(await ana.page.evaluate(() => (window as any).__snapshot.paintedWhile)).toBeUndefined();
    expect(await ana.page.locator('.message-text').count()).toBe(0);
  });
});

import { mkdtempSync, readFileSync, rmSync, statSync, truncateSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Dialog, Request } from 'playwright-core';
import { afterAll, beforeAll, beforeEach, describe, expect, inject, it } from 'vitest';
import { connectPostgres, type Db } from '../../api/src/db/connect.js';
import { REPLAY_TAG } from '../src/sync/replay-request.js';
import { App, PASSWORD, unique } from './app.js';
import { signIn, signUp } from './seed.js';

/** The little of sharp (installed for the API, not the web app) these tests use. */
type SharpImage = {
  jpeg(options: { quality: number }): SharpImage;
  withExif(exif: Record<string, Record<string, string>>): SharpImage;
  withMetadata(options: { orientation: number }): SharpImage;
  toBuffer(): Promise<Buffer>;
  metadata(): Promise<{ format?: string; width?: number; height?: number; orientation?: number; exif?: Buffer }>;
};
type Sharp = (input: Buffer, options?: { raw: { width: number; height: number; channels: 3 } }) => SharpImage;
const sharp = createRequire(join(import.meta.dirname, '..', '..', 'api', 'package.json'))('sharp') as Sharp;

/** The box of a photo in a bubble and of its message row, as the page laid them out at one moment. */
type BoxRecord = { why: string; loaded: boolean; placeholder: boolean; width: number; height: number; rowHeight: number };

/**
 * Photos and files in real Chromium, against the real API (its filesystem store): Ana on a
 * desktop, Bo on a phone, in a direct conversation. What the server stored is read from its
 * database; what a stranger may fetch, over HTTP from the test.
 */
describe('photos and files', () => {
  const appUrl = inject('appUrl');
  let ana: App;
  let bo: App;
  let db: Db;
  let files: string;
  const anaHandle = `ana_${unique()}`;
  const boHandle = `bo_${unique()}`;

  beforeAll(async () => {
    files = mkdtempSync(join(tmpdir(), 'mailboat-e2e-files-'));
    db = connectPostgres(inject('databaseUrl'), 1);
    ana = await App.open('ana-files', appUrl);
    bo = await App.open('bo-files', appUrl, { width: 360, height: 740 });
    await ana.signUp(anaHandle, 'Ana Photo');
    await bo.signUp(boHandle, 'Bo Photo');
    await ana.startDirect(boHandle);
    await ana.send('hello');
    await bo.open('Ana Photo');
    await bo.message('hello').waitFor();
  });

  afterAll(async () => {
    await ana?.profile.close();
    await bo?.profile.close();
    await db?.destroy();
    if (files) rmSync(files, { recursive: true, force: true });
  });

  /** Writes a JPEG (1200x800 unless told; a gradient over a checkerboard) named `name`, with a phone's EXIF (GPS position, camera, orientation 1). */
  async function photo(name: string, width = 1200, height = 800): Promise<string> {
    const pixels = Buffer.alloc(width * height * 3);
    for (let y = 0; y < height; y++) {
      for (let x = 0; x < width; x++) {
        const i = (y * width + x) * 3;
        pixels[i] = Math.round((x * 255) / width);
        pixels[i + 1] = Math.round((y * 255) / height);
        pixels[i + 2] = ((x >> 6) + (y >> 6)) % 2 === 0 ? 200 : 70;
      }
    }
    const bytes = await sharp(pixels, { raw: { width, height, channels: 3 } })
      .jpeg({ quality: 85 })
      .withExif({
        IFD0: { Make: 'TestPhone', Model: 'Pro 12' },
        IFD3: { GPSLatitudeRef: 'N', GPSLatitude: '48/1 51/1 2400/100', GPSLongitudeRef: 'E', GPSLongitude: '2/1 21/1 0/1' },
      })
      .withMetadata({ orientation: 1 })
      .toBuffer();
    const meta = await sharp(bytes).metadata();
    expect(meta).toMatchObject({ format: 'jpeg', width, height, orientation: 1 });
    expect(meta.exif?.byteLength).toBeGreaterThan(0);
    const path = join(files, name);
    writeFileSync(path, bytes);
    return path;
  }

  // Each test starts with both online, in the conversation (whatever an earlier failure left).
  beforeEach(async () => {
    for (const app of [ana, bo]) {
      await app.profile.setOffline(false);
      if (app.profile.context.pages().length === 0) await app.profile.openTab();
    }
    await ana.show('Bo Photo');
    await bo.show('Ana Photo');
  });

  /** The UUID of the one attachment of `app`'s message `text` (the page names it by its global id, att_<32 hex>). */
  async function attachmentId(app: App, text: string): Promise<string> {
    const ids = await app.attachments(text).evaluateAll((els) => els.map((e) => e.getAttribute('data-attachment-id') ?? ''));
    expect(ids).toHaveLength(1);
    const hex = /^att_([0-9a-f]{32})$/.exec(ids[0] as string)?.[1] ?? (ids[0] as string).replaceAll('-', '');
    expect(hex).toMatch(/^[0-9a-f]{32}$/);
    return [hex.slice(0, 8), hex.slice(8, 12), hex.slice(12, 16), hex.slice(16, 20), hex.slice(20)].join('-');
  }

  /** Waits until the photos in `app`'s message `text` finished fading in (for a screenshot that shows them whole). */
  async function faded(app: App, text: string): Promise<void> {
    await app
      .message(text)
      .locator('.image-thumb')
      .evaluateAll((els) => Promise.all(els.flatMap((e) => e.getAnimations().map((a) => a.finished))));
  }

  /** The server's row for attachment `id` (undefined while no upload of it started). */
  function stored(id: string) {
    return db
      .selectFrom('attachments')
      .select(['name', 'content_type', 'size', 'width', 'height', 'completed_at', 'message_id'])
      .where('id', '=', id)
      .executeTakeFirst();
  }

  it('keeps a photo attached offline through a browser restart, then shows it to the other at its final size from the first frame', async () => {
    const caption = 'The ferry, from the deck';
    const path = await photo('ferry.jpg');
    await ana.profile.setOffline(true);
    await ana.attach(path);
    await ana.page.getByRole('list', { name: '1 file to send' }).waitFor();
    await ana.page.getByLabel('Message', { exact: true }).fill(caption);
    await ana.profile.screenshot('attachments-tray-desktop');
    await ana.page.getByLabel('Message', { exact: true }).press('Enter');

    // At once, offline: the message with the photo's local preview, waiting for the network.
    await ana.message(caption).locator('.image-attachment.is-loaded').waitFor();
    expect(await ana.tick(caption)).toBe('pending');
    await ana.message(caption).locator('.upload-status-text', { hasText: 'Waiting for network' }).waitFor();
    expect(await ana.page.getByRole('list', { name: /to send$/ }).count()).toBe(0);
    await ana.profile.screenshot('attachments-offline-desktop');

    await ana.profile.restart();
    await ana.show('Bo Photo');
    await ana.message(caption).locator('.image-attachment.is-loaded').waitFor();
    expect(await ana.tick(caption)).toBe('pending');
    const id = await attachmentId(ana, caption);
    expect(await stored(id)).toBeUndefined(); // nothing of it reached the server yet
    await ana.profile.screenshot('attachments-offline-after-restart-desktop');

    // Bo's page notes the photo's box (and its row) when it first appears, on every resize and once loaded.
    await bo.page.evaluate((text) => {
      const records: BoxRecord[] = [];
      (window as unknown as { photoBoxes: BoxRecord[] }).photoBoxes = records;
      const seen = new WeakSet<Element>();
      const loaded = new WeakSet<Element>();
      const record = (el: Element, why: string) => {
        if (!el.isConnected) return;
        const box = el.getBoundingClientRect();
        const row = el.closest('[data-message-id]')?.getBoundingClientRect();
        records.push({
          why,
          loaded: el.classList.contains('is-loaded'),
          placeholder: getComputedStyle(el).backgroundImage.startsWith('url("data:'),
          width: box.width,
          height: box.height,
          rowHeight: row?.height ?? -1,
        });
      };
      const scan = () => {
        for (const row of document.querySelectorAll('[data-message-id]')) {
          if (row.querySelector('.message-text')?.textContent !== text) continue;
          const el = row.querySelector('.image-attachment');
          if (!el) continue;
          if (!seen.has(el)) {
            seen.add(el);
            record(el, 'appeared');
            new ResizeObserver(() => record(el, 'resized')).observe(el);
          }
          if (el.classList.contains('is-loaded') && !loaded.has(el)) {
            loaded.add(el);
            record(el, 'loaded');
          }
        }
      };
      new MutationObserver(scan).observe(document.body, { subtree: true, childList: true, characterData: true, attributes: true });
    }, caption);

    await ana.profile.setOffline(false);
    const image = bo.message(caption).locator('.image-attachment');
    await bo.message(caption).locator('.image-attachment.is-loaded').waitFor({ timeout: 60_000 });
    const boxes = () => bo.page.evaluate(() => (window as unknown as { photoBoxes: BoxRecord[] }).photoBoxes);
    await expect.poll(async () => (await boxes()).some((r) => r.loaded)).toBe(true);
    const final = await image.boundingBox();
    const records = await boxes();
    expect(final).not.toBeNull();
    const { width, height } = final as { width: number; height: number };

    // The first frame was the ThumbHash placeholder, already at the final size; nothing moved since.
    expect(records[0]).toMatchObject({ why: 'appeared', loaded: false, placeholder: true });
    for (const r of records) {
      expect(r.width, JSON.stringify(r)).toBeCloseTo(width, 1);
      expect(r.height, JSON.stringify(r)).toBeCloseTo(height, 1);
      expect(r.rowHeight, JSON.stringify(r)).toBeCloseTo(records[0]?.rowHeight ?? 0, 1);
    }
    expect(width / height).toBeCloseTo(1200 / 800, 2);
    expect(await image.locator('.image-thumb').evaluate((el) => getComputedStyle(el).backgroundImage)).toMatch(/^url\("blob:/);
    await faded(bo, caption);
    await bo.profile.screenshot('attachments-photo-received-phone');

    expect(await stored(id)).toMatchObject({ content_type: 'image/jpeg', width: 1200, height: 800 });
    await ana.expectTick(caption, 'read');
    await expect.poll(() => ana.message(caption).locator('.upload-status').count()).toBe(0);
    await faded(ana, caption);
    await ana.profile.screenshot('attachments-photo-sent-desktop');
  });

  it('uploads a photo sent offline from the service worker, with every tab of the app closed', async () => {
    const caption = 'Sent while the app was closed';
    const path = await photo('harbour.jpg');
    await ana.profile.setOffline(true);
    await ana.sendFiles(path, caption);
    const id = await attachmentId(ana, caption);
    expect(await ana.tick(caption)).toBe('pending');

    await ana.profile.closeTabs();
    await ana.profile.setOffline(false);
    // Chrome fires the pending Background Sync when the network returns; fire it now too, in
    // case it already ran (and backed off) before the network was fully back.
    await ana.profile.dispatchSync(REPLAY_TAG);

    // Uploaded, completed (type sniffed, metadata stripped) and named by the message the worker pushed.
    const onServer = async () => {
      const row = await stored(id);
      return row && { type: row.content_type, size: row.size, completed: row.completed_at !== null, linked: row.message_id !== null };
    };
    await expect
      .poll(onServer, { timeout: 60_000, interval: 500 })
      .toEqual({ type: 'image/jpeg', size: statSync(path).size, completed: true, linked: true });
    await bo.message(caption).locator('.image-attachment.is-loaded').waitFor({ timeout: 60_000 });
    expect(ana.profile.context.pages()).toHaveLength(0); // still no tab of Ana's app
    await faded(bo, caption);
    await bo.profile.screenshot('attachments-worker-upload-phone');

    await ana.profile.openTab();
    await ana.show('Bo Photo');
    await ana.expectTick(caption, 'read');
    await ana.message(caption).locator('.image-attachment.is-loaded').waitFor();
    expect(await ana.message(caption).count()).toBe(1);
    expect(await bo.message(caption).count()).toBe(1);
  });

  it('answers 404 to someone outside the conversation for its attachment', async () => {
    const caption = 'Only for the two of us';
    await ana.sendFiles(await photo('private.jpg', 320, 240), caption);
    const id = await attachmentId(ana, caption);
    await bo.message(caption).locator('.image-attachment.is-loaded').waitFor({ timeout: 60_000 });

    const stranger = await signUp(appUrl, `carl_${unique()}`, 'Carl Stranger');
    const member = await signIn(appUrl, boHandle, PASSWORD);
    const get = (path: string, token: string) => fetch(new URL(path, appUrl), { headers: { authorization: `Bearer ${token}` } });
    for (const path of [`/attachments/${id}`, `/attachments/${id}/thumbnail`]) {
      const refused = await get(path, stranger.token);
      expect(refused.status, path).toBe(404);
      expect(await refused.text()).not.toContain('private.jpg');
      const allowed = await get(path, member.token);
      expect(allowed.status, path).toBe(200);
      await allowed.arrayBuffer();
    }
    // The same answer as for an attachment that never existed.
    const nothing = await get('/attachments/00000000-0000-7000-8000-000000000000', stranger.token);
    expect(nothing.status).toBe(404);
  });

  it('refuses a 200 MB file before anything is uploaded, naming the file and the limit', async () => {
    const path = join(files, 'holiday.mov');
    writeFileSync(path, '');
    truncateSync(path, 200 * 1024 * 1024); // sparse: Chromium reads its size, not its bytes
    const uploads: string[] = [];
    const watch = (request: Request) => {
      const body = request.method() === 'POST' ? (request.postData() ?? '') : '';
      if (body.includes('startAttachmentUpload') || request.url().includes('/attachments/uploads/')) uploads.push(request.url());
    };
    ana.profile.context.on('request', watch);
    try {
      const before = await ana.texts();
      await ana.attach(path);
      await ana.page.getByRole('alert').filter({ hasText: 'holiday.mov is 200 MB; the limit is 100 MB.' }).waitFor();
      expect(await ana.page.getByRole('list', { name: /to send$/ }).count()).toBe(0);
      await ana.profile.screenshot('attachments-too-large-desktop');
      await ana.page.getByRole('button', { name: 'Send', exact: true }).click(); // nothing to send

      // A text sent afterwards reaches Bo: had anything gone before it, it would be there by now.
      await ana.send('after the refused file');
      await bo.message('after the refused file').waitFor({ timeout: 30_000 });
      await ana.expectTick('after the refused file', 'read');
      expect(await ana.texts()).toEqual([...before, 'after the refused file']);
      expect(await bo.texts()).toEqual([...before, 'after the refused file']);
      expect(uploads).toEqual([]);
      const started = await db.selectFrom('attachments').select('id').where('name', '=', 'holiday.mov').execute();
      expect(started).toEqual([]);
    } finally {
      ana.profile.context.off('request', watch);
    }
  });

  it('strips the GPS position (all EXIF) from a photo before the other can download it', async () => {
    const caption = 'Guess where this is';
    const path = await photo('where.jpg');
    await ana.sendFiles(path, caption);
    await bo.message(caption).locator('.image-attachment.is-loaded').waitFor({ timeout: 60_000 });

    await bo.message(caption).getByRole('button', { name: 'Photo where.jpg' }).click();
    const viewer = bo.page.getByRole('dialog', { name: 'where.jpg' });
    await viewer.waitFor();
    const save = viewer.getByRole('button', { name: 'Save' });
    await expect.poll(() => save.getAttribute('aria-disabled'), { timeout: 30_000 }).toBe('false');
    await bo.profile.screenshot('attachments-viewer-phone');
    const [download] = await Promise.all([bo.page.waitForEvent('download'), save.click()]);
    expect(download.suggestedFilename()).toBe('where.jpg');
    const saved = readFileSync(await download.path());
    const meta = await sharp(saved).metadata();
    expect(meta).toMatchObject({ format: 'jpeg', width: 1200, height: 800 });
    expect(meta.exif).toBeUndefined();
    expect((await sharp(readFileSync(path)).metadata()).exif).toBeDefined(); // what Ana picked had it

    await viewer.getByRole('button', { name: 'Close' }).click();
    await viewer.waitFor({ state: 'detached' });
  });

  it('downloads an HTML file instead of rendering it, running none of it', async () => {
    const caption = 'A page for you';
    const html =
      '<!doctype html><html><head><title>page</title></head><body><script>' +
      'document.title = "pwned"; window.name = "pwned"; try { localStorage.setItem("pwned", "1"); } catch {} ' +
      'try { window.opener && (window.opener.document.title = "pwned"); } catch {} alert("pwned");' +
      '</script><h1>hello</h1></body></html>';
    const path = join(files, 'page.html');
    writeFileSync(path, html);
    await ana.sendFiles(path, caption);
    await ana.expectTick(caption, 'read', 60_000);

    const card = bo.message(caption).locator('.file-attachment');
    const button = card.getByRole('button', { name: 'Download page.html' });
    await button.waitFor();
    expect(await card.locator('.file-name').textContent()).toBe('page.html');
    await bo.profile.screenshot('attachments-file-card-phone');
    const before = await bo.page.evaluate(() => ({ url: location.href, title: document.title, name: window.name }));
    const dialogs: string[] = [];
    const onDialog = (d: Dialog) => {
      dialogs.push(d.message());
      void d.dismiss();
    };
    let opened = 0;
    const onPage = () => opened++;
    bo.page.on('dialog', onDialog);
    bo.profile.context.on('page', onPage);
    try {
      const pages = bo.profile.context.pages().length;
      const [download] = await Promise.all([bo.page.waitForEvent('download'), button.click()]);
      expect(download.suggestedFilename()).toBe('page.html');
      expect(readFileSync(await download.path(), 'utf8')).toBe(html);
      await expect.poll(() => card.getByRole('button', { name: 'Download page.html' }).getAttribute('aria-busy')).toBeNull();

      expect(opened).toBe(0);
      expect(bo.profile.context.pages()).toHaveLength(pages);
      expect(dialogs).toEqual([]);
      const after = await bo.page.evaluate(() => ({ url: location.href, title: document.title, name: window.name }));
      expect(after).toEqual(before);
      expect(await bo.page.evaluate(() => localStorage.getItem('pwned'))).toBeNull();
    } finally {
      bo.page.off('dialog', onDialog);
      bo.profile.context.off('page', onPage);
    }

    // The server, asked directly, also only ever hands it out as a download that cannot run.
    const id = await attachmentId(bo, caption);
    const member = await signIn(appUrl, boHandle, PASSWORD);
    const answer = await fetch(new URL(`/attachments/${id}`, appUrl), { headers: { authorization: `Bearer ${member.token}` } });
    expect(answer.status).toBe(200);
    expect(answer.headers.get('content-disposition')).toMatch(/^attachment;/);
    expect(answer.headers.get('x-content-type-options')).toBe('nosniff');
    expect(answer.headers.get('content-security-policy')).toContain('sandbox');
    expect(await answer.text()).toBe(html);
  });
});

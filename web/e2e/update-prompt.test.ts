import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { REPLAY_TAG } from '../src/sync/replay-request.js';
import { App, PASSWORD, unique } from './app.js';
import { injectAxe } from './axe.js';
import { Deployment, VERSION_PROBE } from './deploy.js';
import { seedMessages, signIn, signUp } from './seed.js';

/** The version of the worker that answers this page's requests (the one controlling it). */
const workerVersion = (app: App) => app.page.evaluate((probe) => fetch(probe).then((r) => r.text()), VERSION_PROBE);
/** The version of the shell (index.html) this page was served. */
const shellVersion = (app: App) =>
  app.page.evaluate(() => document.querySelector('meta[name="mailboat-version"]')?.getAttribute('content'));

const updatePrompt = (app: App) => app.page.getByRole('status').filter({ hasText: 'A new version of Mailboat is available' });

/** Brings the app back into focus (which makes it look for a new version) until it offers one. */
async function focusUntilOffered(app: App): Promise<void> {
  await expect
    .poll(
      async () => {
        await app.page.evaluate(() => window.dispatchEvent(new Event('focus')));
        return updatePrompt(app).isVisible();
      },
      { timeout: 30_000, interval: 1000 },
    )
    .toBe(true);
}

describe('a new version deployed while the app is open', () => {
  const databaseUrl = inject('databaseUrl');
  const webDist = inject('webDist');
  let deployment: Deployment;
  let ana: App;
  let visitor: App;
  const anaHandle = `ana_${unique()}`;
  const boHandle = `bo_${unique()}`;

  beforeAll(async () => {
    deployment = await Deployment.start('update', databaseUrl, webDist, 'v1');
    const appUrl = deployment.appUrl;
    await signUp(appUrl, boHandle, 'Bo Update');
    ana = await App.open('ana-update', appUrl);
    visitor = await App.open('visitor-update', appUrl, { width: 360, height: 740 });
    await ana.signUp(anaHandle, 'Ana Update');
    await ana.startDirect(boHandle);
    await ana.send('written in version one');
    const conversationId = decodeURIComponent(new URL(ana.page.url()).hash.replace(/^#\/c\//, ''));
    const now = Date.now();
    await seedMessages(appUrl, await signIn(appUrl, boHandle, PASSWORD), conversationId, ['an answer from bo'], { from: now, to: now });
    await ana.message('an answer from bo').waitFor();
    await ana.message('written in version one').locator('[data-tick="sent"]').waitFor();
  });

  afterAll(async () => {
    await ana?.profile.close();
    await visitor?.profile.close();
    await deployment?.stop();
  });

  it('starts cold with no network and shows the conversations on the device', async () => {
    await ana.profile.setOffline(true);
    await ana.profile.restart();
    await ana.home().or(ana.messageLog()).first().waitFor();
    await ana.conversationEntry('Bo Update').waitFor();
    await ana.show('Bo Update');
    expect(await ana.texts()).toEqual(['written in version one', 'an answer from bo']);
    await expect.poll(() => ana.syncStatus().getAttribute('data-network')).toBe('offline');
    expect(await ana.page.evaluate(() => navigator.serviceWorker.controller?.state)).toBe('activated');
    expect(await workerVersion(ana)).toBe('v1');
    await ana.profile.setOffline(false);
    await expect.poll(() => ana.syncStatus().getAttribute('data-network')).toBe('online');
  });

  it('offers the new version when the app regains focus, while the open tab keeps working', async () => {
    await ana.page.evaluate(() => {
      (window as unknown as { sameDocument: boolean }).sameDocument = true;
    });
    expect(await updatePrompt(ana).isVisible()).toBe(false);
    // Let the check the app made on getting back online finish first (an update job in flight
    // answers this call too), so what finds the new version below is the focus.
    await ana.page.evaluate(() => navigator.serviceWorker.getRegistration().then((r) => r?.update()));
    deployment.release('v2');
    await focusUntilOffered(ana);
    await expect(updatePrompt(ana).getByRole('button', { name: 'Reload' }).isVisible()).resolves.toBe(true);
    await ana.profile.screenshot('update-available-desktop');

    // Nothing reloaded: the same document, still the old version, still sending.
    expect(await ana.page.evaluate(() => (window as unknown as { sameDocument?: boolean }).sameDocument)).toBe(true);
    expect(await workerVersion(ana)).toBe('v1');
    expect(await shellVersion(ana)).toBe('v1');
    await ana.send('sent while the update waits');
    await ana.expectTick('sent while the update waits', 'sent');
    expect(await ana.page.evaluate(() => navigator.serviceWorker.getRegistration().then((r) => r?.waiting?.state))).toBe('installed');
  });

  it('reloads into the new version on "Reload", with every message still there', async () => {
    await Promise.all([ana.page.waitForEvent('load'), updatePrompt(ana).getByRole('button', { name: 'Reload' }).click()]);
    await ana.show('Bo Update');
    expect(await ana.page.evaluate(() => (window as unknown as { sameDocument?: boolean }).sameDocument)).toBeUndefined();
    expect(await workerVersion(ana)).toBe('v2');
    expect(await shellVersion(ana)).toBe('v2');
    expect(await ana.page.evaluate(() => navigator.serviceWorker.getRegistration().then((r) => r?.waiting ?? null))).toBeNull();
    expect(await updatePrompt(ana).isVisible()).toBe(false);
    expect(await ana.texts()).toEqual(['written in version one', 'an answer from bo', 'sent while the update waits']);
    await ana.send('written in version two');
    await ana.expectTick('written in version two', 'sent');
  });

  it('offers the new version on the sign-in screen too, found when the page reloads', async () => {
    await visitor.page.getByRole('heading', { name: 'Sign in to Mailboat' }).waitFor();
    expect(await workerVersion(visitor)).toBe('v1');
    await visitor.page.reload();
    await updatePrompt(visitor).waitFor({ timeout: 30_000 });
    await visitor.page.getByRole('heading', { name: 'Sign in to Mailboat' }).waitFor();
    await visitor.profile.screenshot('update-available-sign-in-phone');
    const overflow = await visitor.page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    expect(overflow).toBeLessThanOrEqual(0);
    await injectAxe(visitor.page);
    const violations = await visitor.page.evaluate(async () => {
      const axe = (window as unknown as { axe: { run: (c: string) => Promise<{ violations: { id: string }[] }> } }).axe;
      return (await axe.run('.update-prompt')).violations.map((v) => v.id);
    });
    expect(violations).toEqual([]);

    await Promise.all([visitor.page.waitForEvent('load'), updatePrompt(visitor).getByRole('button', { name: 'Reload' }).click()]);
    await visitor.page.getByRole('heading', { name: 'Sign in to Mailboat' }).waitFor();
    expect(await workerVersion(visitor)).toBe('v2');
    expect(await shellVersion(visitor)).toBe('v2');
  });

  it('looks for a new version every hour, so a tab left open learns of a deploy', async () => {
    await visitor.page.clock.install();
    await visitor.page.reload();
    await visitor.page.getByRole('heading', { name: 'Sign in to Mailboat' }).waitFor();
    // Chromium looks for an update itself about a second after a navigation: let that pass first.
    await visitor.page.waitForTimeout(3000);
    await visitor.page.evaluate(() => navigator.serviceWorker.getRegistration().then((r) => r?.update()));
    deployment.release('v3');
    await visitor.page.clock.runFor('59:00');
    await visitor.page.waitForTimeout(1000);
    expect(await updatePrompt(visitor).isVisible()).toBe(false);
    await visitor.page.clock.runFor('01:00');
    // The installed worker is announced after a short (also fake) delay: keep the clock going.
    await expect
      .poll(
        async () => {
          await visitor.page.clock.runFor(500);
          return updatePrompt(visitor).isVisible();
        },
        { timeout: 30_000, interval: 500 },
      )
      .toBe(true);
    expect(await workerVersion(visitor)).toBe('v2');
  });

  it('delivers, after the update, a write that an older version queued', async () => {
    ana.profile.refusePushes(true); // the write cannot be delivered by the version that made it
    await ana.send('queued by version two');
    await ana.page.waitForTimeout(1000);
    expect(await ana.tick('queued by version two')).toBe('pending');
    // v3 is deployed by now (see above): Ana's tab, on v2, finds it.
    await focusUntilOffered(ana);
    await Promise.all([ana.page.waitForEvent('load'), updatePrompt(ana).getByRole('button', { name: 'Reload' }).click()]);
    await ana.show('Bo Update');
    expect(await workerVersion(ana)).toBe('v3');
    expect(await ana.tick('queued by version two')).toBe('pending');

    ana.profile.refusePushes(false);
    await ana.profile.dispatchSync(REPLAY_TAG); // the new worker replays the old version's queue
    await ana.expectTick('queued by version two', 'sent');
    expect(await ana.texts()).toEqual([
      'written in version one',
      'an answer from bo',
      'sent while the update waits',
      'written in version two',
      'queued by version two',
    ]);
  });
});

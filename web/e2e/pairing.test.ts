import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { App, PASSWORD, unique } from './app.js';
import { Profile } from './browser.js';
import { backdateConversation, gql, seedMessages, signIn, signUp } from './seed.js';

/** Records, from the first script on the page, the furthest any progress bar got. */
function recordProgress() {
  const seen = { max: 0, valuemax: 0 };
  (window as unknown as { __progress: typeof seen }).__progress = seen;
  new MutationObserver(() => {
    for (const bar of document.querySelectorAll('[role=progressbar]')) {
      seen.max = Math.max(seen.max, Number(bar.getAttribute('aria-valuenow') ?? 0));
      seen.valuemax = Math.max(seen.valuemax, Number(bar.getAttribute('aria-valuemax') ?? 0));
    }
  }).observe(document, { subtree: true, childList: true, attributes: true });
}

describe('linking a new device with a pairing code', () => {
  const appUrl = inject('appUrl');
  let phone: App;
  let laptop: App;
  const anaHandle = `ana_${unique()}`;
  const boHandle = `bo_${unique()}`;
  let history: string[] = [];

  beforeAll(async () => {
    phone = await App.open('ana-phone', appUrl, { width: 360, height: 740 });
    await phone.signUp(anaHandle, 'Ana Pairing');
    const bo = await signUp(appUrl, boHandle, 'Bo Pairing');
    const ana = await signIn(appUrl, anaHandle, PASSWORD);
    const direct = await gql(appUrl, 'mutation($u: ID!) { openDirectConversation(userId: $u) { id } }', { u: bo.userId }, ana.token);
    const texts = Array.from({ length: 90 }, (_, i) => `history ${String(i + 1).padStart(2, '0')}`);
    const now = Date.now();
    await backdateConversation(inject('databaseUrl'), direct.openDirectConversation.id, now - 6 * 3_600_000);
    history = await seedMessages(appUrl, bo, direct.openDirectConversation.id, texts, { from: now - 5 * 3_600_000, to: now - 1000 });
  });

  afterAll(async () => {
    await phone?.profile.close();
    await laptop?.profile.close();
  });

  it('shows the code as text and QR, and the new device gets the history with visible progress', async () => {
    await phone.control('Devices').click();
    await phone.control('Link a new device').click();
    const code = (await phone.page.getByTestId('pairing-code').textContent())?.trim() ?? '';
    expect(code.replace(/[\s-]/g, '')).toMatch(/^[0-9A-Z]{8}$/);
    await phone.page.getByRole('img', { name: 'QR code for pairing code' }).waitFor();
    await phone.profile.screenshot('pairing-code-phone');

    laptop = new App(await Profile.open('ana-laptop', appUrl));
    await laptop.page.addInitScript(recordProgress);
    await laptop.profile.goto();
    await laptop.control('Use a pairing code').click();
    await laptop.submitForm('Link this device', { 'Pairing code': code });
    await laptop.home().waitFor();
    await laptop.open('Bo Pairing');
    await laptop.message(history.at(-1) as string).waitFor();
    const progress = await laptop.page.evaluate(() => (window as unknown as { __progress: { max: number; valuemax: number } }).__progress);
    expect(progress.valuemax).toBeGreaterThan(0);
    expect(progress.max).toBeLessThanOrEqual(progress.valuemax);

    // Older segments load on demand, in order, until the whole history is on the device.
    for (let i = 0; i < 10 && !(await laptop.message(history[0] as string).isVisible()); i++) {
      const earlier = laptop.control('Load earlier messages');
      if (await earlier.isVisible()) await earlier.click();
      else await laptop.messageLog().evaluate((log) => log.scrollTo(0, 0));
      await laptop.page.waitForTimeout(300);
    }
    await expect.poll(() => laptop.texts()).toEqual(history);
    await laptop.profile.screenshot('new-device-history-desktop');

    await laptop.back();
    await laptop.control('Devices').click();
    await expect.poll(() => laptop.page.getByText('This device').count()).toBeGreaterThan(0);
  });
});

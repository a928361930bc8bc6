import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { App, unique } from './app.js';
import { seriousViolations } from './axe.js';

/**
 * Two people in a direct conversation, each in a browser of their own: who is online, and
 * who is typing. Each page's clock is Playwright's (installed before the app loads): it runs
 * as usual, and a test pauses it where only a message from the other side may change what
 * the page shows (no timer of that page can fire meanwhile).
 */
describe('typing and presence between two people', () => {
  const appUrl = inject('appUrl');
  let ana: App;
  let bo: App;
  const anaHandle = `ana_${unique()}`;
  const boHandle = `bo_${unique()}`;

  const typingLine = (app: App) => app.page.locator('.typing-indicator');
  const header = (app: App) => app.page.locator('.conversation-header');
  const composer = (app: App) => app.page.getByLabel('Message', { exact: true });

  beforeAll(async () => {
    ana = await App.open('ana-typing', appUrl);
    bo = await App.open('bo-typing', appUrl, { width: 390, height: 844 });
    for (const app of [ana, bo]) {
      await app.page.clock.install();
      await app.page.reload();
    }
    await ana.signUp(anaHandle, 'Ana Typing');
    await bo.signUp(boHandle, 'Bo Typing');
    await ana.startDirect(boHandle);
    await ana.send('hi bo');
    await bo.open('Ana Typing');
  });

  afterAll(async () => {
    await ana?.profile.close();
    await bo?.profile.close();
  });

  it('shows each that the other is online, in the header and the member list', async () => {
    await header(bo).getByText('online', { exact: true }).waitFor();
    await header(ana).getByText('online', { exact: true }).waitFor();
    await bo.control('Members').click();
    const members = bo.page.getByRole('list', { name: 'Members' });
    await members.getByRole('listitem').filter({ hasText: 'Ana Typing' }).getByText('online').waitFor();
    expect(await members.getByRole('listitem').filter({ hasText: 'Bo Typing' }).getByText('online').count()).toBe(0);
    await bo.control('Back').click();
    await bo.messageLog().waitFor();
  });

  it('shows Bo that Ana is typing, and stops when she sends', async () => {
    await composer(ana).pressSequentially('hello th');
    await typingLine(bo).getByText('Ana Typing is typing…', { exact: true }).waitFor();
    await bo.profile.screenshot('typing-and-presence-phone');
    expect(await seriousViolations(bo)).toEqual([]);

    // From here no timer on Bo's page fires: only Ana's "stopped typing" can clear the line.
    await bo.page.clock.pauseAt(Date.now() + 1000);
    try {
      await composer(ana).pressSequentially('ere');
      await composer(ana).press('Enter');
      await bo.message('hello there').waitFor();
      await expect.poll(() => typingLine(bo).textContent()).toBe('');
    } finally {
      await bo.page.clock.resume();
    }
  });

  it('shows Ana that Bo is typing, beside the list too, until it expires by itself', async () => {
    // From here no timer on Bo's page fires: he never says he stopped, so only the expiry clears it on Ana's.
    await bo.page.clock.pauseAt(Date.now() + 1000);
    try {
      await composer(bo).pressSequentially('let me think');
      await typingLine(ana).getByText('Bo Typing is typing…', { exact: true }).waitFor();
      const entry = ana.conversationEntry('Bo Typing');
      await entry.getByText('Bo Typing is typing…').waitFor();
      await ana.profile.screenshot('typing-and-presence-desktop');
      expect(await seriousViolations(ana)).toEqual([]);
      await expect.poll(() => typingLine(ana).textContent(), { timeout: 30_000 }).toBe('');
      await expect.poll(() => entry.textContent()).toContain('hello there');
    } finally {
      await bo.page.clock.resume();
    }
    await composer(bo).fill('');
  });

  it('shows Bo when Ana was last seen once her app is closed', async () => {
    await ana.profile.close();
    await expect.poll(() => header(bo).locator('.subtitle').textContent(), { timeout: 30_000 }).toMatch(/^last seen today at /);
  });
});

import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { App, PASSWORD, unique } from './app.js';
import { linkSecondDevice } from './second-device.js';
import { gql, seedMessages, signIn, signUp } from './seed.js';

/**
 * Records every number the app puts on its icon (navigator.setAppBadge / clearAppBadge) as
 * `window.__badges`, then lets the browser's own Badging API do its part.
 */
function recordBadges() {
  const seen: number[] = [];
  (window as unknown as { __badges: number[] }).__badges = seen;
  const set = navigator.setAppBadge?.bind(navigator);
  const clear = navigator.clearAppBadge?.bind(navigator);
  navigator.setAppBadge = (n?: number) => {
    seen.push(n ?? 0);
    return set ? set(n) : Promise.resolve();
  };
  navigator.clearAppBadge = () => {
    seen.push(0);
    return clear ? clear() : Promise.resolve();
  };
}

const lastBadge = (app: App) => app.page.evaluate(() => (window as unknown as { __badges: number[] }).__badges.at(-1) ?? null);

describe('the unread badge and the tab title', () => {
  const appUrl = inject('appUrl');
  let desktop: App;
  let phone: App;
  const anaHandle = `ana_${unique()}`;
  let bo: { token: string; userId: string };
  let withBo = '';

  beforeAll(async () => {
    desktop = await App.open('ana-badge', appUrl);
    await desktop.page.addInitScript(recordBadges);
    await desktop.page.reload();
    await desktop.signUp(anaHandle, 'Ana Badge');
    const ana = await signIn(appUrl, anaHandle, PASSWORD);
    bo = await signUp(appUrl, `bo_${unique()}`, 'Bo Badge');
    const cy = await signUp(appUrl, `cy_${unique()}`, 'Cy Badge');
    const open = 'mutation($u: ID!) { openDirectConversation(userId: $u) { id } }';
    withBo = (await gql(appUrl, open, { u: ana.userId }, bo.token)).openDirectConversation.id;
    const withCy = (await gql(appUrl, open, { u: ana.userId }, cy.token)).openDirectConversation.id;
    await seedMessages(appUrl, cy, withCy, ['hello from cy'], { from: Date.now(), to: Date.now() });
    phone = await linkSecondDevice(desktop, appUrl, 'ana-badge-phone', { width: 390, height: 844 });
    await desktop.open('Cy Badge');
    await desktop.message('hello from cy').waitFor();
  });

  afterAll(async () => {
    await desktop?.profile.close();
    await phone?.profile.close();
  });

  it('counts a conversation with a new message while another is open, and clears it once read', async () => {
    await expect.poll(() => desktop.page.title()).toBe('Mailboat');
    await seedMessages(appUrl, bo, withBo, ['are you there?'], { from: Date.now(), to: Date.now() });
    await expect.poll(() => desktop.page.title()).toBe('(1) Mailboat');
    await expect.poll(() => lastBadge(desktop)).toBe(1);
    await expect.poll(() => phone.page.title()).toBe('(1) Mailboat');

    await desktop.open('Bo Badge');
    await desktop.message('are you there?').waitFor();
    await expect.poll(() => desktop.page.title()).toBe('Mailboat');
    await expect.poll(() => lastBadge(desktop)).toBe(0);
    // Read on the desktop: the phone's count goes too.
    await expect.poll(() => phone.page.title()).toBe('Mailboat');
  });

  it('clears the count when the conversation is read on another device', async () => {
    await desktop.open('Cy Badge');
    await seedMessages(appUrl, bo, withBo, ['one more thing', 'and another'], { from: Date.now(), to: Date.now() });
    await expect.poll(() => desktop.page.title()).toBe('(1) Mailboat');
    await expect.poll(() => phone.page.title()).toBe('(1) Mailboat');

    await phone.open('Bo Badge');
    await phone.message('and another').waitFor();
    await expect.poll(() => phone.page.title()).toBe('Mailboat');
    await expect.poll(() => desktop.page.title()).toBe('Mailboat');
    await expect.poll(() => lastBadge(desktop)).toBe(0);
  });
});

import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { App, PASSWORD, unique } from './app.js';
import { seriousViolations } from './axe.js';
import { linkSecondDevice } from './second-device.js';
import { gql, seedMessages, signIn, signUp } from './seed.js';

/** Muting a conversation's notifications from its header, on one device of two. */
describe('muting a conversation', () => {
  const appUrl = inject('appUrl');
  let desktop: App;
  let phone: App;
  const anaHandle = `ana_${unique()}`;

  const muteButton = (app: App) => app.page.getByRole('button', { name: 'Mute notifications' });
  const menu = (app: App) => app.page.getByRole('menu', { name: 'Mute notifications' });
  const mutedMark = (app: App) => app.conversationEntry('Bo Mute').getByRole('img', { name: 'Muted' });

  beforeAll(async () => {
    desktop = await App.open('ana-mute', appUrl);
    await desktop.signUp(anaHandle, 'Ana Mute');
    const ana = await signIn(appUrl, anaHandle, PASSWORD);
    const bo = await signUp(appUrl, `bo_${unique()}`, 'Bo Mute');
    const direct = await gql(appUrl, 'mutation($u: ID!) { openDirectConversation(userId: $u) { id } }', { u: ana.userId }, bo.token);
    await seedMessages(appUrl, bo, direct.openDirectConversation.id, ['mute me if you like'], { from: Date.now(), to: Date.now() });
    phone = await linkSecondDevice(desktop, appUrl, 'ana-mute-phone', { width: 390, height: 844 });
  });

  afterAll(async () => {
    await desktop?.profile.close();
    await phone?.profile.close();
  });

  it('mutes from the menu: the list shows it, after a reload too, and on the other device', async () => {
    await desktop.open('Bo Mute');
    await muteButton(desktop).click();
    await menu(desktop).waitFor();
    expect(await muteButton(desktop).getAttribute('aria-expanded')).toBe('true');
    await expect.poll(() => desktop.page.evaluate(() => document.activeElement?.textContent)).toBe('For 8 hours');
    await desktop.profile.screenshot('mute-menu-desktop');
    expect(await seriousViolations(desktop)).toEqual([]);
    await menu(desktop).getByRole('menuitem', { name: 'For 8 hours' }).click();
    await menu(desktop).waitFor({ state: 'detached' });
    await mutedMark(desktop).waitFor();
    await desktop.profile.screenshot('muted-in-list-desktop');
    expect(await seriousViolations(desktop)).toEqual([]);

    await desktop.page.reload();
    await desktop.show('Bo Mute');
    await mutedMark(desktop).waitFor();
    await phone.home().waitFor();
    await mutedMark(phone).waitFor();
  });

  it('shows until when, and unmutes from the other device', async () => {
    await phone.open('Bo Mute');
    await muteButton(phone).click();
    await phone.page.getByText(/^Muted until /).waitFor();
    await menu(phone).getByRole('menuitem', { name: 'Unmute' }).waitFor();
    await phone.profile.screenshot('mute-menu-phone');
    expect(await seriousViolations(phone)).toEqual([]);
    // Escape closes it and gives the button focus back.
    await phone.page.keyboard.press('Escape');
    await menu(phone).waitFor({ state: 'detached' });
    await expect.poll(() => phone.page.evaluate(() => document.activeElement?.getAttribute('aria-label'))).toBe('Mute notifications');

    await muteButton(phone).click();
    await menu(phone).getByRole('menuitem', { name: 'Unmute' }).click();
    await menu(phone).waitFor({ state: 'detached' });
    await expect.poll(() => mutedMark(desktop).count()).toBe(0);
  });

  it('says so when offline, and keeps the menu open', async () => {
    await phone.profile.setOffline(true);
    try {
      await muteButton(phone).click();
      await menu(phone).getByRole('menuitem', { name: 'Always' }).click();
      await phone.page
        .getByRole('alert')
        .getByText(/offline/i)
        .waitFor();
      await menu(phone).waitFor();
    } finally {
      await phone.profile.setOffline(false);
    }
  });
});

import type { Locator } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { App, unique } from './app.js';
import { seriousViolations } from './axe.js';
import { signUp } from './seed.js';

const DELETED = 'This message was deleted';

/** The "edited" button of the message showing `text`. */
const editedButton = (app: App, text: string): Locator => app.message(text).getByRole('button', { name: /^edited/ });

/** The open edit history dialog. */
const historyDialog = (app: App): Locator => app.page.getByRole('dialog', { name: 'Edit history' });

/** Opens the history of the message showing `text` with the keyboard; returns each version's text, oldest first, and which is current. */
async function readHistory(app: App, text: string): Promise<{ texts: string[]; current: number[] }> {
  await editedButton(app, text).focus();
  await app.page.keyboard.press('Enter');
  const dialog = historyDialog(app);
  await dialog.waitFor();
  const items = dialog.getByRole('listitem');
  const texts = await items.locator('.history-text').allTextContents();
  const current = await items.evaluateAll((els) => els.flatMap((e, i) => (e.getAttribute('aria-current') === 'true' ? [i] : [])));
  return { texts, current };
}

/** Closes the open history with Escape; focus goes back to the "edited" button. */
async function closeHistory(app: App, text: string): Promise<void> {
  await app.page.keyboard.press('Escape');
  await historyDialog(app).waitFor({ state: 'detached' });
  expect(await editedButton(app, text).evaluate((e) => e === document.activeElement)).toBe(true);
}

/** Waits until every device shows the same texts, and returns them. */
async function converged(...apps: App[]): Promise<string[]> {
  let last: string[] = [];
  await expect
    .poll(
      async () => {
        const all = await Promise.all(apps.map((a) => a.texts()));
        last = all[0] ?? [];
        return all.every((t) => JSON.stringify(t) === JSON.stringify(last));
      },
      { timeout: 30_000, interval: 200 },
    )
    .toBe(true);
  return last;
}

describe('an edit is whole: devices of one person editing one message', () => {
  const appUrl = inject('appUrl');
  let phone: App;
  let laptop: App;
  let tablet: App | undefined;
  const anaHandle = `ana_${unique()}`;
  const boHandle = `bo_${unique()}`;

  beforeAll(async () => {
    await signUp(appUrl, boHandle, 'Bo Edits');
    phone = await App.open('ana-phone', appUrl, { width: 390, height: 844 });
    await phone.signUp(anaHandle, 'Ana Edits');
    await phone.startDirect(boHandle);
    laptop = await App.open('ana-laptop', appUrl);
    await laptop.signIn(anaHandle);
    await laptop.open('Bo Edits');
  });

  afterAll(async () => {
    await phone?.profile.close();
    await laptop?.profile.close();
    await tablet?.profile.close();
  });

  it('one offline: after it reconnects both show the later edit, and the history lists both (phone and desktop, keyboard, axe)', async () => {
    await phone.send('Lunch at noon?');
    await laptop.message('Lunch at noon?').waitFor();

    await phone.profile.setOffline(true);
    await phone.edit('Lunch at noon?', 'Lunch at 1pm?');
    await laptop.edit('Lunch at noon?', 'Dinner at noon instead?');
    await laptop.expectTick('Dinner at noon instead?', 'sent');
    await phone.profile.setOffline(false);

    await phone.message('Dinner at noon instead?').waitFor({ timeout: 30_000 });
    const texts = await converged(phone, laptop);
    expect(texts).toEqual(['Dinner at noon instead?']);
    await expect.poll(() => phone.syncStatus().getAttribute('data-pending')).toBe('0');
    expect(await phone.tick('Dinner at noon instead?')).not.toBe('failed');

    await phone.profile.screenshot('edited-message-phone');
    await laptop.profile.screenshot('edited-message-desktop');
    for (const [app, size] of [
      [phone, 'phone'],
      [laptop, 'desktop'],
    ] as const) {
      const history = await readHistory(app, 'Dinner at noon instead?');
      expect(history).toEqual({ texts: ['Lunch at noon?', 'Lunch at 1pm?', 'Dinner at noon instead?'], current: [2] });
      expect(
        await historyDialog(app)
          .getByRole('button', { name: 'Close' })
          .evaluate((e) => e === document.activeElement),
      ).toBe(true);
      await app.profile.screenshot(`edit-history-${size}`);
      expect(await seriousViolations(app)).toEqual([]);
      if (size === 'phone') {
        await app.page.emulateMedia({ colorScheme: 'dark' });
        await app.profile.screenshot('edit-history-phone-dark');
        expect(await seriousViolations(app)).toEqual([]);
        await app.page.emulateMedia({ colorScheme: 'light' });
      }
      await closeHistory(app, 'Dinner at noon instead?');
    }
    // A click (a tap) opens it too; Close, or a tap outside it, closes it.
    await editedButton(laptop, 'Dinner at noon instead?').click();
    await historyDialog(laptop).getByRole('button', { name: 'Close' }).click();
    await historyDialog(laptop).waitFor({ state: 'detached' });
    await editedButton(phone, 'Dinner at noon instead?').click();
    await historyDialog(phone).waitFor();
    await phone.page.mouse.click(195, 800);
    await historyDialog(phone).waitFor({ state: 'detached' });
    expect(await seriousViolations(phone)).toEqual([]);
  });

  it('both online, editing within the same second: both show the same one of the two, and both are in the history', async () => {
    await phone.send('Same second?');
    await laptop.message('Same second?').waitFor();
    await Promise.all([phone.edit('Same second?', 'From the phone'), laptop.edit('Same second?', 'From the laptop')]);
    const texts = await converged(phone, laptop);
    const shown = texts.at(-1) as string;
    expect(['From the phone', 'From the laptop']).toContain(shown);
    for (const app of [phone, laptop]) {
      const history = await readHistory(app, shown);
      expect(history.texts[0]).toBe('Same second?');
      expect(history.texts.slice(1).sort()).toEqual(['From the laptop', 'From the phone']);
      expect(history.texts.at(-1)).toBe(shown);
      expect(history.current).toEqual([2]);
      await closeHistory(app, shown);
    }
  });

  it('three devices, two of them offline: all show the latest edit once they are back', async () => {
    tablet = await App.open('ana-tablet', appUrl, { width: 820, height: 1180 });
    await tablet.signIn(anaHandle);
    await tablet.open('Bo Edits');
    await phone.send('Three ways?');
    await laptop.message('Three ways?').waitFor();
    await tablet.message('Three ways?').waitFor();

    await phone.profile.setOffline(true);
    await tablet.profile.setOffline(true);
    await phone.edit('Three ways?', 'Phone way');
    await tablet.edit('Three ways?', 'Tablet way');
    await laptop.edit('Three ways?', 'Laptop way');
    await laptop.expectTick('Laptop way', 'sent');
    await Promise.all([phone.profile.setOffline(false), tablet.profile.setOffline(false)]);

    await tablet.message('Laptop way').waitFor({ timeout: 30_000 });
    await phone.message('Laptop way').waitFor({ timeout: 30_000 });
    expect((await converged(phone, laptop, tablet)).at(-1)).toBe('Laptop way');
    const history = await readHistory(tablet, 'Laptop way');
    expect(history).toEqual({ texts: ['Three ways?', 'Phone way', 'Tablet way', 'Laptop way'], current: [3] });
    await closeHistory(tablet, 'Laptop way');
  });

  it('an edit racing a deletion: the deletion wins on every device, whichever reaches the server first', async () => {
    // The edit is written offline; the deletion reaches the server first.
    await phone.send('Delete me?');
    await laptop.message('Delete me?').waitFor();
    await phone.profile.setOffline(true);
    await phone.edit('Delete me?', 'No, keep me!');
    await laptop.message('Delete me?').getByRole('button', { name: 'Delete' }).click();
    await laptop.message('Delete me?').getByRole('button', { name: 'Yes, delete' }).click();
    await laptop.page.getByText(DELETED).waitFor();
    await expect.poll(() => laptop.syncStatus().getAttribute('data-pending'), { timeout: 30_000 }).toBe('0'); // the server has it
    await phone.profile.setOffline(false);
    await phone.page.getByText(DELETED).waitFor({ timeout: 30_000 });
    await expect.poll(() => phone.syncStatus().getAttribute('data-pending'), { timeout: 30_000 }).toBe('0');
    await phone.profile.screenshot('edit-racing-delete-phone');
    // The deletion is written offline; the edit reaches the server first: its text is removed.
    await phone.send('Keep me?');
    await laptop.message('Keep me?').waitFor();
    await laptop.profile.setOffline(true);
    await laptop.message('Keep me?').getByRole('button', { name: 'Delete' }).click();
    await laptop.message('Keep me?').getByRole('button', { name: 'Yes, delete' }).click();
    await phone.edit('Keep me?', 'Yes, keep me!');
    await phone.expectTick('Yes, keep me!', 'sent');
    await laptop.profile.setOffline(false);
    await expect.poll(() => phone.message('Yes, keep me!').count(), { timeout: 30_000 }).toBe(0);

    const devices = tablet ? [phone, laptop, tablet] : [phone, laptop];
    const texts = await converged(...devices);
    expect(texts.slice(-2)).toEqual([DELETED, DELETED]);
    for (const app of devices) {
      for (const gone of ['Delete me?', 'No, keep me!', 'Keep me?', 'Yes, keep me!'])
        expect(await app.page.getByText(gone).count()).toBe(0);
    }
  });
});

import type { Locator, Page } from 'playwright-core';
import { expect } from 'vitest';
import { Profile } from './browser.js';

export const PASSWORD = 'correct horse battery staple';

/** A short random suffix, for handles no earlier run has taken. */
export const unique = () => Math.random().toString(36).slice(2, 8);

/** Drives the PWA's screens through their accessible names, as a person with a keyboard would. */
export class App {
  constructor(readonly profile: Profile) {}

  /** Opens a new browser profile (see Profile.open) on the app. */
  static async open(name: string, appUrl: string, viewport?: { width: number; height: number }): Promise<App> {
    const app = new App(await Profile.open(name, appUrl, viewport));
    await app.profile.goto();
    return app;
  }

  get page(): Page {
    return this.profile.page;
  }

  /** A button or link by its accessible name (screens may render either). */
  control(name: string | RegExp, within: Page | Locator = this.page): Locator {
    return within.getByRole('button', { name }).or(within.getByRole('link', { name })).first();
  }

  /** Fills a form's fields, found by their exact labels (label -> value), and presses its `button`. */
  async submitForm(button: string, fields: Record<string, string>): Promise<void> {
    for (const [label, value] of Object.entries(fields)) await this.page.getByLabel(label, { exact: true }).fill(value);
    await this.page.getByRole('button', { name: button }).click();
  }

  async signUp(handle: string, displayName: string): Promise<void> {
    await this.control('Create an account').click();
    await this.submitForm('Create account', { Handle: handle, 'Display name': displayName, Password: PASSWORD });
    await this.home().waitFor();
  }

  async signIn(handle: string): Promise<void> {
    await this.submitForm('Sign in', { Handle: handle, Password: PASSWORD });
    await this.home().waitFor();
  }

  /** The home screen's heading, shown also before there is any conversation. */
  home(): Locator {
    return this.page.getByRole('heading', { name: 'Chats' });
  }

  conversationList(): Locator {
    return this.page.getByRole('list', { name: 'Conversations' });
  }

  conversationEntry(title: string): Locator {
    return this.control(new RegExp(`^${title}`), this.conversationList());
  }

  async startDirect(handle: string): Promise<void> {
    await this.control('New conversation').click();
    await this.submitForm('Start chat', { Handle: handle });
    await this.messageLog().waitFor();
  }

  async open(title: string): Promise<void> {
    await this.conversationEntry(title).click();
    await this.messageLog().waitFor();
  }

  /** Shows the conversation, whether the app reopened on it or on the list. */
  async show(title: string): Promise<void> {
    await this.home().or(this.messageLog()).first().waitFor();
    const open = (await this.messageLog().isVisible()) && (await this.page.getByRole('heading', { name: title }).isVisible());
    if (!open) await this.open(title);
  }

  /** Goes back to the list, from a screen or two deep (on a wide screen the list may be beside it). */
  async back(): Promise<void> {
    const back = this.control('Back');
    for (let i = 0; i < 3 && (await back.isVisible()); i++) {
      await back.click();
      await this.page.waitForTimeout(100);
    }
    await this.home().waitFor();
  }

  messageLog(): Locator {
    return this.page.getByRole('log', { name: 'Messages' });
  }

  /** The message whose text is exactly `text`. */
  message(text: string): Locator {
    return this.messageLog()
      .locator('[data-message-id]')
      .filter({ has: this.page.locator('.message-text', { hasText: new RegExp(`^${escapeRegExp(text)}$`) }) });
  }

  /** Every message text on screen, oldest first (deleted ones show no text). */
  async texts(): Promise<string[]> {
    return this.messageLog()
      .locator('[data-message-id] .message-text')
      .evaluateAll((els) => els.map((e) => (e.textContent ?? '').trim()));
  }

  async send(text: string): Promise<void> {
    const box = this.page.getByLabel('Message', { exact: true });
    await box.fill(text);
    await box.press('Enter');
    await this.message(text).waitFor();
  }

  /** The composer's file input (behind "Attach photos or files"): what is set on it goes to the tray as if picked. */
  fileInput(): Locator {
    return this.page.locator('form.composer input[type="file"]');
  }

  /** Picks files (paths on this machine) with the composer's paperclip, as the system's picker hands them over. */
  async attach(paths: string | string[]): Promise<void> {
    await this.fileInput().setInputFiles(paths);
  }

  /** Attaches `paths`, waits for them in the tray and sends them with `caption` (see send). */
  async sendFiles(paths: string | string[], caption: string): Promise<void> {
    const count = typeof paths === 'string' ? 1 : paths.length;
    await this.attach(paths);
    await this.page.getByRole('list', { name: count === 1 ? '1 file to send' : `${count} files to send` }).waitFor();
    await this.send(caption);
  }

  /** The photos and files of the message whose text is `text` (each element carries data-attachment-id: the global id, att_…). */
  attachments(text: string): Locator {
    return this.message(text).locator('[data-attachment-id]');
  }

  async edit(text: string, next: string): Promise<void> {
    await this.message(text).getByRole('button', { name: 'Edit' }).click();
    await this.submitForm('Save', { 'Edit message': next });
    await this.message(next).waitFor();
  }

  async react(text: string, emoji: string): Promise<void> {
    await this.message(text).getByRole('button', { name: 'React' }).click();
    await this.page.getByRole('button', { name: emoji, exact: true }).click();
  }

  async tick(text: string): Promise<string | null> {
    return this.message(text)
      .locator('[data-tick]')
      .getAttribute('data-tick', { timeout: 1000 })
      .catch(() => null);
  }

  async expectTick(text: string, tick: string, timeout = 30_000): Promise<void> {
    await expect.poll(() => this.tick(text), { timeout, interval: 100 }).toBe(tick);
  }

  syncStatus(): Locator {
    return this.page.getByRole('status').and(this.page.locator('[data-network]'));
  }
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

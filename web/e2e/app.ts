import type { Locator, Page } from 'playwright-core';
import { expect } from 'vitest';
import type { Profile } from './browser.js';

export const PASSWORD = 'correct horse battery staple';

/** Drives the PWA's screens through their accessible names, as a person with a keyboard would. */
export class App {
  constructor(readonly profile: Profile) {}

  get page(): Page {
    return this.profile.page;
  }

  /** A button or link by its accessible name (screens may render either). */
  control(name: string | RegExp, within: Page | Locator = this.page): Locator {
    return within.getByRole('button', { name }).or(within.getByRole('link', { name })).first();
  }

  async signUp(handle: string, displayName: string): Promise<void> {
    await this.control('Create an account').click();
    await this.page.getByLabel('Handle', { exact: true }).fill(handle);
    await this.page.getByLabel('Display name', { exact: true }).fill(displayName);
    await this.page.getByLabel('Password', { exact: true }).fill(PASSWORD);
    await this.page.getByRole('button', { name: 'Create account' }).click();
    await this.home().waitFor();
  }

  async signIn(handle: string): Promise<void> {
    await this.page.getByLabel('Handle', { exact: true }).fill(handle);
    await this.page.getByLabel('Password', { exact: true }).fill(PASSWORD);
    await this.page.getByRole('button', { name: 'Sign in' }).click();
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
    await this.page.getByLabel('Handle', { exact: true }).fill(handle);
    await this.page.getByRole('button', { name: 'Start chat' }).click();
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

  async edit(text: string, next: string): Promise<void> {
    await this.message(text).getByRole('button', { name: 'Edit' }).click();
    await this.page.getByLabel('Edit message').fill(next);
    await this.page.getByRole('button', { name: 'Save' }).click();
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

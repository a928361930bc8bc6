import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type BrowserContext, chromium, type Page } from 'playwright-core';
import { ApiProxy } from './proxy.js';

/** Where screenshots of the main screens go, for a person to look at after a run. */
export const SCREENSHOTS = join(import.meta.dirname, '..', 'test-results', 'screenshots');

/**
 * One browser profile (a person's installed app on one device): a persistent Chromium
 * profile folder, so IndexedDB, the service worker and its caches survive `restart()` the way
 * they survive closing and reopening a real browser. The profile reaches the app through a
 * proxy of its own (its `appUrl`), which `setOffline` cuts too: Chromium's offline emulation
 * does not reach a service worker that the browser starts at launch (to fire a pending
 * Background Sync, say) before the emulation is attached.
 */
export class Profile {
  context!: BrowserContext;
  page!: Page;
  private offline = false;

  private constructor(
    readonly name: string,
    private readonly network: ApiProxy,
    readonly dir: string,
    private readonly viewport: { width: number; height: number },
  ) {}

  static async open(name: string, appUrl: string, viewport = { width: 1280, height: 800 }): Promise<Profile> {
    const profile = new Profile(name, await ApiProxy.start(appUrl), mkdtempSync(join(tmpdir(), `mailboat-e2e-${name}-`)), viewport);
    await profile.launch();
    return profile;
  }

  /** Where this profile opens the app (its own proxy in front of the app's origin). */
  get appUrl(): string {
    return this.network.url;
  }

  private async launch(): Promise<void> {
    this.context = await chromium.launchPersistentContext(this.dir, {
      executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
      headless: true,
      viewport: this.viewport,
      locale: 'en-US',
      offline: this.offline,
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    });
    this.page = this.context.pages()[0] ?? (await this.context.newPage());
    this.page.on('pageerror', (e) => console.error(`[${this.name}] page error:`, e.message));
  }

  /** Opens the app at `path` and waits until the service worker controls the page. */
  async goto(path = '/'): Promise<void> {
    await this.page.goto(new URL(path, this.appUrl).toString());
    if (!this.offline) await this.page.waitForFunction(() => navigator.serviceWorker?.controller != null, null, { timeout: 30_000 });
  }

  /** Makes the API answer this profile's pushes 503 (everything else keeps working), or stops. */
  refusePushes(refused: boolean): void {
    this.network.refusePushes(refused);
  }

  /** Lets the next `count` refreshes rotate the token on the server and then loses their answers (see ApiProxy). */
  loseRefreshAnswers(count: number): void {
    this.network.loseRefreshAnswers(count);
  }

  /** Refresh answers lost so far. */
  get refreshAnswersLost(): number {
    return this.network.refreshAnswersLost;
  }

  /** Cuts (or restores) this profile's network, the service worker's fetches included. */
  async setOffline(offline: boolean): Promise<void> {
    this.offline = offline;
    this.network.setDown(offline);
    await this.context.setOffline(offline);
  }

  /**
   * Closes the whole browser and starts it again on the same profile folder, at `path`;
   * `beforeLoad` runs on the new page before it navigates (to add init scripts, say).
   */
  async restart(path = '/', beforeLoad?: (page: Page) => Promise<unknown>): Promise<void> {
    await this.context.close();
    await this.launch();
    await beforeLoad?.(this.page);
    await this.page.goto(new URL(path, this.appUrl).toString());
  }

  /** Closes every tab of the app; the browser (and its service worker) keeps running. */
  async closeTabs(): Promise<void> {
    for (const page of this.context.pages()) await page.close();
  }

  /** Opens a new tab at `path` (after closeTabs) and waits as `goto` does. */
  async openTab(path = '/'): Promise<void> {
    this.page = await this.context.newPage();
    this.page.on('pageerror', (e) => console.error(`[${this.name}] page error:`, e.message));
    await this.goto(path);
  }

  /**
   * Fires the service worker's Background Sync event `tag` now, through CDP, as Chrome does
   * when it retries (it backs off for minutes after a failed sync). Works with no tab of the
   * app open: CDP is reached through a blank tab, closed afterwards.
   */
  async dispatchSync(tag: string): Promise<void> {
    const blank = await this.context.newPage();
    try {
      const cdp = await this.context.newCDPSession(blank);
      const origin = new URL(this.appUrl).origin;
      const registrationId = new Promise<string>((resolve) => {
        cdp.on('ServiceWorker.workerRegistrationUpdated', ({ registrations }) => {
          const found = registrations.find((r) => r.scopeURL.startsWith(origin) && !r.isDeleted);
          if (found) resolve(found.registrationId);
        });
      });
      await cdp.send('ServiceWorker.enable');
      await cdp.send('ServiceWorker.dispatchSyncEvent', { origin, registrationId: await registrationId, tag, lastChance: false });
      await cdp.detach();
    } finally {
      await blank.close();
    }
  }

  async screenshot(name: string): Promise<void> {
    mkdirSync(SCREENSHOTS, { recursive: true });
    await this.page.screenshot({ path: join(SCREENSHOTS, `${name}.png`), fullPage: false });
  }

  async close(): Promise<void> {
    await this.context.close().catch(() => {});
    await this.network.close();
    rmSync(this.dir, { recursive: true, force: true });
  }
}

import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { App, PASSWORD, unique } from './app.js';
import { seriousViolations } from './axe.js';

describe('installable and accessible', () => {
  const appUrl = inject('appUrl');
  let ana: App;
  let bo: App;
  const anaHandle = `ana_${unique()}`;
  const boHandle = `bo_${unique()}`;

  beforeAll(async () => {
    ana = await App.open('ana-a11y', appUrl, { width: 360, height: 740 });
    bo = await App.open('bo-a11y', appUrl);
    await bo.signUp(boHandle, 'Bo Access');
  });

  afterAll(async () => {
    await ana?.profile.close();
    await bo?.profile.close();
  });

  it('has a complete manifest, and Chrome finds nothing standing in the way of installing it', async () => {
    const manifest = await (await fetch(new URL('/manifest.webmanifest', appUrl))).json();
    expect(manifest).toMatchObject({ name: 'Mailboat', short_name: 'Mailboat', start_url: '/', display: 'standalone' });
    expect(manifest.theme_color).toMatch(/^#/);
    expect(manifest.background_color).toMatch(/^#/);
    for (const size of ['192x192', '512x512']) {
      for (const purpose of ['any', 'maskable']) {
        const icon = manifest.icons.find(
          (i: { sizes: string; purpose?: string }) => i.sizes === size && (i.purpose ?? 'any').split(' ').includes(purpose),
        );
        expect(icon, `${purpose} icon ${size}`).toBeDefined();
        const res = await fetch(new URL(icon.src, appUrl));
        expect(res.headers.get('content-type')).toBe('image/png');
        const png = Buffer.from(await res.arrayBuffer());
        expect([png.readUInt32BE(16), png.readUInt32BE(20)].join('x')).toBe(size);
      }
    }
    // An empty list also comes for a page with no worker: the worker must be controlling it.
    const controller = () =>
      bo.page.evaluate(
        () =>
          navigator.serviceWorker.controller && {
            url: navigator.serviceWorker.controller.scriptURL,
            state: navigator.serviceWorker.controller.state,
          },
      );
    expect(await controller()).toEqual({ url: new URL('/sw.js', bo.profile.appUrl).href, state: 'activated' });
    // The page (served by the worker from its cache) carries the Content-Security-Policy: an
    // inline script, as injected markup would be, does not run.
    const inlineRan = await bo.page.evaluate(() => {
      const script = document.createElement('script');
      script.textContent = 'window.__inlineRan = true';
      document.body.append(script);
      script.remove();
      return (window as unknown as { __inlineRan?: boolean }).__inlineRan === true;
    });
    expect(inlineRan).toBe(false);
    const cdp = await bo.profile.context.newCDPSession(bo.page);
    const { installabilityErrors } = (await cdp.send('Page.getInstallabilityErrors')) as { installabilityErrors: unknown[] };
    expect(installabilityErrors).toEqual([]);
    expect(await controller()).toEqual({ url: new URL('/sw.js', bo.profile.appUrl).href, state: 'activated' });
  });

  it("serves the shell from the worker's fetch handler with the network off", async () => {
    await bo.profile.setOffline(true);
    try {
      const reload = await bo.page.reload();
      expect(reload?.fromServiceWorker()).toBe(true);
      await bo.home().waitFor();
      const deepLink = await bo.page.goto(new URL('/?from=homescreen#/profile', bo.profile.appUrl).toString());
      expect(deepLink?.fromServiceWorker()).toBe(true);
      await bo.page.getByRole('heading', { name: 'Profile', exact: true, level: 1 }).waitFor();
      expect(await bo.page.evaluate(() => navigator.serviceWorker.controller?.state)).toBe('activated');
    } finally {
      await bo.profile.setOffline(false);
    }
    await bo.profile.goto();
    await bo.home().waitFor();
  });

  it('has no serious or critical axe violations on any screen, on a 360 px phone', async () => {
    const problems: Record<string, string[]> = {};
    const check = async (screen: string) => {
      const found = await seriousViolations(ana);
      const overflow = await ana.page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
      if (overflow > 0) found.push(`scrolls sideways by ${overflow}px`);
      if (found.length > 0) problems[screen] = found;
      await ana.profile.screenshot(`screen-${screen}-phone`);
    };
    await check('sign-in');
    await ana.control('Create an account').click();
    await check('sign-up');
    await ana.submitForm('Create account', { Handle: anaHandle, 'Display name': 'Ana Access', Password: PASSWORD });
    await ana.home().waitFor();
    await check('conversation-list-empty');
    await ana.control('New conversation').click();
    await ana.page.getByLabel('Handle', { exact: true }).waitFor();
    await check('new-conversation');
    await ana.submitForm('Start chat', { Handle: boHandle });
    await ana.messageLog().waitFor();
    await ana.send('an accessible hello');
    await ana.message('an accessible hello').getByRole('button', { name: 'React' }).click();
    await check('conversation-with-reaction-picker');
    await ana.page.keyboard.press('Escape');
    await ana.control('Members').click();
    await check('members');
    await ana.back();
    await ana.control('Devices').click();
    await check('devices');
    await ana.control('Back').click();
    await ana.control('Profile').click();
    await check('profile');
    expect(problems).toEqual({});
  });

  it('can be used with the keyboard alone: open a conversation and send', async () => {
    await bo.page.reload();
    await bo.home().waitFor();
    await bo.conversationList().waitFor();
    const entry = bo.conversationEntry('Ana Access');
    await entry.waitFor();
    for (let i = 0; i < 40 && !(await entry.evaluate((e) => e === document.activeElement)); i++) await bo.page.keyboard.press('Tab');
    expect(await entry.evaluate((e) => e === document.activeElement)).toBe(true);
    await bo.page.keyboard.press('Enter');
    await bo.messageLog().waitFor();
    const composer = bo.page.getByLabel('Message', { exact: true });
    for (let i = 0; i < 60 && !(await composer.evaluate((e) => e === document.activeElement)); i++) await bo.page.keyboard.press('Tab');
    expect(await composer.evaluate((e) => e === document.activeElement)).toBe(true);
    await bo.page.keyboard.type('typed without a mouse');
    await bo.page.keyboard.press('Enter');
    await bo.message('typed without a mouse').waitFor();
    await ana.back();
    await ana.open('Bo Access');
    await ana.message('typed without a mouse').waitFor();
  });
});

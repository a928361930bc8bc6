import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { App, PASSWORD, unique } from './app.js';
import { signUp } from './seed.js';

const SIGN_IN = 'mutation($i: SignInInput!) { signIn(input: $i) { user { id } } }';

/**
 * Login CSRF in a real browser: a page on another site auto-submits forms that sign in to
 * the attacker's account at the app's /graphql. The browser sends them (forms need no
 * permission), and the API must refuse them before they can set a refresh cookie.
 */
describe('a page on another site posting a sign-in form', () => {
  const appUrl = inject('appUrl');
  let ana: App;
  let evil: Server;
  let evilUrl = '';
  const mallory = `mallory_${unique()}`;
  const anaHandle = `ana_${unique()}`;
  let anaUserId = '';

  beforeAll(async () => {
    await signUp(appUrl, mallory, 'Mallory');
    ana = await App.open('ana-csrf', appUrl);
    await ana.signUp(anaHandle, 'Ana Csrf');
    anaUserId = (await ana.page.evaluate(async () => (await fetch('/auth/refresh', { method: 'POST' })).json())).userId;
    const target = `${ana.profile.appUrl}/graphql`;
    const variables = JSON.stringify({
      i: {
        handle: mallory,
        password: PASSWORD,
        device: { name: 'Planted', platform: 'web', appVersion: '1' },
        refreshTokenDelivery: 'COOKIE',
      },
    });
    const page = (enctype: string) => `<!doctype html><meta charset="utf-8"><title>Win a prize</title>
      <form id="f" method="POST" action="${target}" enctype="${enctype}">
        <input name="query" value='${SIGN_IN}'><input name="variables" value='${variables}'>
      </form><script>document.getElementById('f').submit()</script>`;
    // Another site: "localhost" is not the app's 127.0.0.1, so the browser treats the post as cross-site.
    evil = createServer((req, res) => {
      const enctype = req.url?.includes('multipart')
        ? 'multipart/form-data'
        : req.url?.includes('plain')
          ? 'text/plain'
          : 'application/x-www-form-urlencoded';
      res.writeHead(200, { 'content-type': 'text/html' }).end(page(enctype));
    });
    await new Promise<void>((resolve) => evil.listen(0, '127.0.0.1', resolve));
    evilUrl = `http://localhost:${(evil.address() as AddressInfo).port}`;
  });

  afterAll(async () => {
    await ana?.profile.close();
    await new Promise((resolve) => evil?.close(resolve));
  });

  it('is refused whatever its encoding: no cookie changes, and the app stays signed in as Ana', async () => {
    const cookies = async () =>
      (await ana.profile.context.cookies(`${ana.profile.appUrl}/auth/refresh`)).map((c) => `${c.name}=${c.value}`).sort();
    const before = await cookies();
    expect(before.some((c) => c.startsWith('mailboat_refresh='))).toBe(true);
    for (const kind of ['urlencoded', 'multipart', 'plain']) {
      const answer = ana.page.waitForResponse((r) => r.url().endsWith('/graphql') && r.request().isNavigationRequest());
      await ana.page.goto(`${evilUrl}/${kind}`);
      const response = await answer;
      expect(response.status(), kind).toBe(415);
      expect(await response.text(), kind).toContain('UNSUPPORTED_MEDIA_TYPE');
      expect(await response.headerValue('set-cookie'), kind).toBeNull();
    }
    expect(await cookies()).toEqual(before);

    // Back in the app, after a reload (which refreshes with the cookie): still Ana.
    await ana.profile.goto();
    await ana.control('Profile').click();
    await expect.poll(() => ana.page.getByText(/^Signed in as @/).textContent(), { timeout: 15_000 }).toBe(`Signed in as @${anaHandle}`);
    await ana
      .home()
      .or(ana.page.getByRole('heading', { name: 'Your profile' }))
      .first()
      .waitFor();
    expect(await ana.page.getByLabel('Display name', { exact: true }).inputValue()).toBe('Ana Csrf');
    // And the server agrees: the session the browser's cookie continues is Ana's.
    const refreshed = await ana.page.evaluate(async () => (await fetch('/auth/refresh', { method: 'POST' })).json());
    expect(refreshed.userId).toBe(anaUserId);
  });
});

import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { App, unique } from './app.js';
import { signUp } from './seed.js';

describe('a refresh whose answer is lost', () => {
  const appUrl = inject('appUrl');
  let bo: App;
  const anaHandle = `ana_${unique()}`;

  beforeAll(async () => {
    await signUp(appUrl, anaHandle, 'Ana Lost');
    bo = await App.open('bo-lost-answer', appUrl);
    await bo.signUp(`bo_${unique()}`, 'Bo Lost');
    await bo.startDirect(anaHandle);
    await bo.send('before the lost answer');
  });

  afterAll(async () => {
    await bo?.profile.close();
  });

  it('does not sign the device out: the retry with the same cookie is let through', async () => {
    await bo.expectTick('before the lost answer', 'sent');
    // The reloaded page starts with no access token, so its first request is a refresh: the
    // server rotates the cookie's token, but the answer carrying the new cookie never arrives.
    bo.profile.loseRefreshAnswers(1);
    await bo.page.reload();
    await expect.poll(() => bo.profile.refreshAnswersLost, { timeout: 30_000 }).toBe(1);
    await bo.show('Ana Lost');
    await bo.send('after the lost answer');
    await bo.expectTick('after the lost answer', 'sent');
    expect(await bo.page.getByRole('heading', { name: 'Sign in to Mailboat' }).count()).toBe(0);

    // The cookie the browser now holds is the device's one live token: a further reload works.
    await bo.page.reload();
    await bo.show('Ana Lost');
    await bo.send('after another reload');
    await bo.expectTick('after another reload', 'sent');
  });
});

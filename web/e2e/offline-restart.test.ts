import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { App, unique } from './app.js';

describe('the app with no network', () => {
  const appUrl = inject('appUrl');
  let ana: App;
  let bo: App;
  const anaHandle = `ana_${unique()}`;
  const boHandle = `bo_${unique()}`;

  beforeAll(async () => {
    ana = await App.open('ana-restart', appUrl);
    bo = await App.open('bo-restart', appUrl);
    await ana.signUp(anaHandle, 'Ana Restart');
    await bo.signUp(boHandle, 'Bo Restart');
    await ana.startDirect(boHandle);
    await ana.send('before the outage');
    await bo.open('Ana Restart');
    // Bo must hold Ana's message before his device goes offline (it arrives live, or not at all).
    await bo.message('before the outage').waitFor();
  });

  afterAll(async () => {
    await ana?.profile.close();
    await bo?.profile.close();
  });

  it('keeps every message, sent and pending, through a reload and a browser restart while offline', async () => {
    await bo.profile.setOffline(true);
    await bo.send('pending through a reload');
    await bo.page.reload();
    await bo.show('Ana Restart');
    await bo.message('pending through a reload').waitFor();
    expect(await bo.texts()).toEqual(['before the outage', 'pending through a reload']);
    expect(await bo.tick('pending through a reload')).toBe('pending');

    await bo.send('pending through a restart');
    await bo.profile.restart();
    await bo.show('Ana Restart');
    // The screen snapshot painted at launch may predate the last send (it is taken a second
    // after a change); the app's own rows replace it at once.
    await expect.poll(() => bo.texts()).toEqual(['before the outage', 'pending through a reload', 'pending through a restart']);
    expect(await bo.tick('pending through a restart')).toBe('pending');
    await bo.profile.screenshot('offline-after-restart');

    await bo.profile.setOffline(false);
    await ana.message('pending through a restart').waitFor();
    await expect.poll(() => ana.texts()).toEqual(['before the outage', 'pending through a reload', 'pending through a restart']);
    await bo.expectTick('pending through a restart', 'read');
  });
});

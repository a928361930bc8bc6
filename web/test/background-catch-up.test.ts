import { describe, expect, it } from 'vitest';
import { catchUpInBackground } from '../src/sync/background-catch-up.js';
import { accountOf, type Device, signUp, startApi, texts, until, useDevices } from './harness.js';

const api = startApi();

/** Runs the service worker's catch-up after a push for `conversationId`, on the device's storage and network, its app closed. */
const catchUp = (d: Device, conversationId: string) =>
  catchUpInBackground({ baseUrl: 'http://localhost', fetch: d.fetch, indexedDB: d.indexedDB, conversationId });

describe("the service worker's catch-up after a push", () => {
  const device = useDevices(api);

  /** Ana and Bo (a browser-like device with the refresh cookie) in a direct conversation Bo has loaded; Bo's app then closed. */
  async function closedApp() {
    const ana = device('ana');
    const bo = device('bo', { delivery: 'COOKIE' });
    await signUp(ana, 'ana', 'Ana');
    await signUp(bo, 'bo', 'Bo');
    const c = await ana.client.openDirect(bo.client.session()?.user.id ?? '');
    ana.client.send(c, 'before');
    await until(() => ana.client.syncState().pending === 0, 'Ana to push');
    await bo.client.syncNow();
    await until(() => texts(bo, c).includes('before'), 'Bo to load the conversation');
    await bo.client.close();
    return { ana, bo, c };
  }

  it('puts the new message on the device, so the app opens with it and no network', async () => {
    const { ana, bo, c } = await closedApp();
    ana.client.send(c, 'while Bo was away');
    await until(() => ana.client.syncState().pending === 0, 'Ana to push');

    expect(await catchUp(bo, c)).toBe('SYNCED');
    expect(bo.requests.slice(-3)).toEqual(['/auth/refresh', 'Segments', 'SegmentDiffs']);

    bo.offline = true;
    await bo.restart();
    expect(texts(bo, c)).toEqual(['before', 'while Bo was away']);
    bo.offline = false;
    await bo.client.syncNow(); // the app's own sync finds nothing more, and nothing is shown twice
    expect(texts(bo, c)).toEqual(['before', 'while Bo was away']);
  });

  it('leaves to the app a conversation that is not on the device, and a device whose refresh token is not a cookie', async () => {
    const { bo } = await closedApp();
    expect(await catchUp(bo, `cnv_${'0'.repeat(32)}`)).toBe('NOT_HELD');

    const ana = device('ana');
    const body = device('bo-body'); // BODY: the refresh token is the app's alone to rotate
    await signUp(ana, 'ana', 'Ana');
    await signUp(body, 'bo', 'Bo');
    const c = await ana.client.openDirect(body.client.session()?.user.id ?? '');
    await body.client.syncNow();
    await until(() => accountOf(body)?.conversations.get(c)?.loaded, 'the conversation loaded on the device');
    await body.client.close();
    body.requests.length = 0;
    expect(await catchUp(body, c)).toBe('NO_COOKIE');
    expect(body.requests).toEqual([]);
  });

  it('does nothing on a device that is signed out', async () => {
    const { bo, c } = await closedApp();
    await bo.restart();
    await bo.client.signOut();
    await bo.client.close();
    expect(await catchUp(bo, c)).toBe('NO_ACCOUNT');
  });
});

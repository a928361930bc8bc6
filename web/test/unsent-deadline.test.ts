import { describe, expect, it } from 'vitest';
import { getMeta, openAccountDb } from '../src/sync/local-db.js';
import { replayOutbox } from '../src/sync/replay.js';
import { unsentWarning } from '../src/ui/SyncBanner.js';
import { signUp, startApi, useDevices } from './harness.js';

const HOUR = 3_600_000;
// A sign-in that runs out after an hour unused, so pending writes are at risk at once.
const api = startApi({ REFRESH_IDLE_TTL_SECONDS: '3600' });

describe('writes pending when the sign-in is about to run out', () => {
  const device = useDevices(api);

  it('carry the deadline of the sign-in, and the app warns with the time', async () => {
    const bo = device('bo', { delivery: 'COOKIE' });
    await signUp(bo, 'bo', 'Bo');
    const group = await bo.client.createGroup('Notes', []);
    expect(bo.client.syncState().unsentDeadline).toBeNull();

    bo.offline = true;
    bo.client.send(group, 'at risk');
    const deadline = bo.client.syncState().unsentDeadline;
    expect(deadline).not.toBeNull();
    expect(deadline! - Date.now()).toBeGreaterThan(HOUR - 120_000);
    expect(deadline! - Date.now()).toBeLessThanOrEqual(HOUR);
    expect(unsentWarning(bo.client.syncState())).toMatch(/^Connect to Mailboat before .+, or 1 unsent change will be lost/);

    // The service worker's replay renews the sign-in too, and records the new deadline.
    const userId = bo.client.session()!.user.id;
    await bo.client.close();
    bo.offline = false;
    await new Promise((r) => setTimeout(r, 1100)); // a later refresh token expires later
    expect(await replayOutbox({ baseUrl: 'http://localhost', fetch: bo.fetch, indexedDB: bo.indexedDB })).toMatchObject({ delivered: 1 });
    const db = await openAccountDb(bo.indexedDB, userId);
    expect(await getMeta(db, 'signInExpiresAt')).toBeGreaterThan(deadline!);
    db.close();
    await bo.restart();
    expect(bo.client.syncState()).toMatchObject({ pending: 0, unsentDeadline: null });
  });

  it('is not worth a warning while the sign-in has days left', () => {
    const now = Date.now();
    expect(unsentWarning({ pending: 2, unsentDeadline: now + 30 * 24 * HOUR }, now)).toBeNull();
    expect(unsentWarning({ pending: 2, unsentDeadline: now + 24 * HOUR }, now)).toMatch(/2 unsent changes will be lost/);
    expect(unsentWarning({ pending: 0, unsentDeadline: null }, now)).toBeNull();
  });
});

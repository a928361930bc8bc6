import { describe, expect, it } from 'vitest';
import type { App } from '../../api/src/app.js';
import type { Tick } from '../src/app/model.js';
import { getMeta } from '../src/sync/local-db.js';
import { accountOf, anaAndBo, type Device, databaseNames, PASSWORD, signUp, startApi, texts, until, useDevices } from './harness.js';

// The shortest access tokens the API allows, so expiry happens within a test.
const api = startApi({ ACCESS_TOKEN_TTL_SECONDS: '10' });

/** The error code the API answers a plain viewer query made with `accessToken`, or null when it is accepted. */
async function codeFor(app: App, accessToken: string): Promise<string | null> {
  const res = await app.yoga.fetch('http://localhost/graphql', {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${accessToken}` },
    body: JSON.stringify({ query: '{ viewer { device { id } } }' }),
  });
  const body = (await res.json()) as { errors?: { extensions?: { code?: string } }[] };
  return body.errors?.[0]?.extensions?.code ?? null;
}

/** The status and error code of POST /auth/refresh with a refresh token in the body or as the cookie. */
async function refreshWith(app: App, token: { body: string } | { cookie: string }): Promise<{ status: number; code?: string }> {
  const init: RequestInit =
    'body' in token
      ? { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ refreshToken: token.body }) }
      : { method: 'POST', headers: { cookie: `mailboat_refresh=${token.cookie}`, 'sec-fetch-site': 'same-origin' } };
  const res = await app.yoga.fetch('http://localhost/auth/refresh', init);
  const body = (await res.json()) as { errors?: { extensions?: { code?: string } }[] };
  return { status: res.status, code: body.errors?.[0]?.extensions?.code };
}

const storedRefreshToken = async (d: Device) => {
  const account = accountOf(d);
  return account ? getMeta(account.db, 'refreshToken') : undefined;
};
const lastBearer = (d: Device) => d.bearers[d.bearers.length - 1] as string;
const accountDatabases = async (d: Device, userId: string) =>
  (await databaseNames(d)).filter((n) => n === `mailboat:${userId}` || n.startsWith(`mailboat:${userId}:`));

describe('access tokens', () => {
  const device = useDevices(api);

  it('are refreshed once they expire: a write after expiry is accepted and the refresh token rotates', async () => {
    const { ana, bo, c, boHandle } = await anaAndBo(device);
    await ana.client.syncNow();
    const session = ana.client.session();
    const rotatedFrom = await storedRefreshToken(ana);
    expect(rotatedFrom).toBeTruthy();

    const token = lastBearer(ana);
    await until(async () => (await codeFor(api(), token)) === 'TOKEN_EXPIRED', 'the access token to expire', 30_000);

    const refreshes = ana.count('/auth/refresh');
    const id = ana.client.send(c, 'after the token expired');
    // Two more requests at once, all needing a fresh token: one refresh serves them all.
    const [devicesSeen, found] = await Promise.all([ana.client.devices(), ana.client.findUser(boHandle)]);
    expect(devicesSeen.some((d) => d.isCurrent)).toBe(true);
    expect(found?.handle).toBe(boHandle);
    await until(() => ana.client.syncState().pending === 0, 'the write to be pushed');

    expect(ana.count('/auth/refresh') - refreshes).toBe(1);
    expect(ana.client.conversation(c).messages.find((m) => m.id === id)?.tick).toBe('sent');
    expect(ana.client.session()).toEqual(session);
    expect(ana.client.syncState().problem).toBeNull();
    const rotatedTo = await storedRefreshToken(ana);
    expect(rotatedTo).toBeTruthy();
    expect(rotatedTo).not.toBe(rotatedFrom);

    await bo.client.syncNow();
    await until(() => texts(bo, c).includes('after the token expired'), 'Bo to receive the write');
  });

  it('refused as expired by the server (the device clock stalled) cause one refresh for requests refused together', async () => {
    let frozenAt: number | null = null;
    const cy = device('cy', { now: () => frozenAt ?? Date.now() });
    const cyHandle = await signUp(cy, 'cy', 'Cy');
    await cy.client.syncNow();
    frozenAt = Date.now(); // the device now believes its token stays fresh
    const token = lastBearer(cy);
    await until(async () => (await codeFor(api(), token)) === 'TOKEN_EXPIRED', 'the access token to expire', 30_000);

    const refreshes = cy.count('/auth/refresh');
    // The refusal of Devices arrives only after UserByHandle was refused, refreshed and retried.
    let release = () => {};
    const held = new Promise<void>((resolve) => {
      release = resolve;
    });
    cy.gate = (request) => (request === 'Devices' ? held : undefined);
    const listing = cy.client.devices();
    expect((await cy.client.findUser(cyHandle))?.handle).toBe(cyHandle);
    cy.gate = null;
    release();
    expect(await listing).toHaveLength(1);
    expect(cy.count('/auth/refresh') - refreshes).toBe(1);
    expect(cy.client.session()?.user.handle).toBe(cyHandle);
    expect(await codeFor(api(), lastBearer(cy))).toBeNull();
  });
});

describe('revocation', () => {
  const device = useDevices(api);

  /** Ana on two devices (the second linked with a pairing code) sharing a conversation with herself. */
  async function twoDevices() {
    const phone = device('ana phone');
    const laptop = device('ana laptop');
    await signUp(phone, 'ana', 'Ana');
    await laptop.client.redeemPairingCode((await phone.client.createPairingCode()).code);
    const group = await phone.client.createGroup('Notes', []);
    phone.client.send(group, 'synced before');
    await until(() => phone.client.syncState().pending === 0, 'the first write to be pushed');
    const userId = phone.client.session()!.user.id;
    const phoneDevice = phone.client.session()!.deviceId;
    return { phone, laptop, group, userId, phoneDevice };
  }

  /** Records, at every change, whether the device is signed in, its problem, and the tick of `messageId`. */
  function watch(d: Device, conversationId: string, messageId: () => string | undefined) {
    const seen: { signedIn: boolean; problem: string | null; tick: Tick | null | undefined }[] = [];
    d.client.subscribe(() => {
      const id = messageId();
      const tick = id ? d.client.conversation(conversationId).messages.find((m) => m.id === id)?.tick : undefined;
      seen.push({ signedIn: d.client.session() !== null, problem: d.client.syncState().problem, tick });
    });
    return seen;
  }

  it('reaches a running device live: it says why, signs out, wipes its data, and does not claim its unsent write', async () => {
    const { phone, laptop, group, userId, phoneDevice } = await twoDevices();
    await until(() => phone.count('Events') > 0, 'the phone to go live');
    let unsent: string | undefined;
    const seen = watch(phone, group, () => unsent);
    phone.offline = true; // new requests fail; the live stream stays open
    unsent = phone.client.send(group, 'written just before the revocation');
    expect(phone.client.syncState().pending).toBe(1);

    await laptop.client.revokeDevice(phoneDevice);
    await until(() => phone.client.session() === null, 'the phone to be signed out');

    expect(phone.client.syncState().problem).toMatch(/signed out/);
    expect(phone.client.syncState().problem).toMatch(/1 change made on it had not been sent/);
    const firstSignedOut = seen.find((s) => !s.signedIn);
    expect(firstSignedOut?.problem).toMatch(/signed out/);
    expect(seen.map((s) => s.tick)).not.toContain('sent');
    expect(phone.client.conversations()).toEqual([]);
    await until(async () => (await accountDatabases(phone, userId)).length === 0, "the phone's account data to be wiped");

    phone.offline = false;
    await phone.restart();
    expect(phone.client.session()).toBeNull();
    await laptop.client.syncNow();
    expect(texts(laptop, group)).toEqual(['synced before']);
  });

  it('reaches a device that was off at its next request after launch', async () => {
    const { phone, laptop, group, userId, phoneDevice } = await twoDevices();
    phone.offline = true;
    phone.client.send(group, 'written offline');
    await phone.client.close();

    await laptop.client.revokeDevice(phoneDevice);
    phone.offline = false;
    await phone.restart(); // opens the stored session, then syncs
    await until(() => phone.client.session() === null, 'the phone to learn it was signed out');
    expect(phone.client.syncState().problem).toMatch(/signed out.*1 change made on it had not been sent/s);
    await until(async () => (await accountDatabases(phone, userId)).length === 0, "the phone's account data to be wiped");
    await laptop.client.syncNow();
    expect(texts(laptop, group)).toEqual(['synced before']);
  });
});

describe('signing out', () => {
  const device = useDevices(api);

  it("wipes the device's data, and the server refuses its tokens", async () => {
    const ana = device('ana');
    await signUp(ana, 'ana', 'Ana');
    const group = await ana.client.createGroup('Notes', []);
    ana.client.send(group, 'to be wiped');
    await until(() => ana.client.syncState().pending === 0, 'the write to be pushed');
    const userId = ana.client.session()!.user.id;
    const refreshToken = (await storedRefreshToken(ana))!;
    const accessToken = lastBearer(ana);
    expect(await accountDatabases(ana, userId)).not.toEqual([]);

    await ana.client.signOut();
    expect(ana.client.session()).toBeNull();
    expect(ana.client.conversations()).toEqual([]);
    expect(await accountDatabases(ana, userId)).toEqual([]);
    await ana.restart();
    expect(ana.client.session()).toBeNull();
    expect(ana.client.conversations()).toEqual([]);

    expect(await codeFor(api(), accessToken)).toBe('DEVICE_REVOKED');
    expect(await refreshWith(api(), { body: refreshToken })).toEqual({ status: 401, code: 'REFRESH_TOKEN_INVALID' });
  });
});

describe('in a browser (refresh cookie)', () => {
  const device = useDevices(api);

  it('restores the session from the cookie at launch when the device lost its data', async () => {
    const ana = device('ana browser', { delivery: 'COOKIE' });
    await signUp(ana, 'ana', 'Ana');
    expect(ana.cookies.has('mailboat_refresh')).toBe(true);
    const group = await ana.client.createGroup('Plans', []);
    ana.client.send(group, 'kept on the server');
    await until(() => ana.client.syncState().pending === 0, 'the write to be pushed');
    const session = ana.client.session();

    await ana.close();
    ana.wipeStorage();
    const refreshes = ana.count('/auth/refresh');
    await ana.restart();
    expect(ana.client.session()).toEqual(session);
    expect(ana.count('/auth/refresh') - refreshes).toBe(1);
    expect(ana.count('Viewer')).toBe(1);
    expect(ana.requests.slice(0, 2)).toEqual(['/auth/refresh', 'SignUp']); // the launch check ends before signing up
    await until(() => texts(ana, group).includes('kept on the server'), 'the history to come back');

    // Restored for good: the next launch opens the stored session without asking the server.
    await ana.restart();
    expect(ana.client.session()).toEqual(session);
    expect(ana.count('Viewer')).toBe(1);
  });

  it('opens the app signed out when the cookie check hangs, and signs in once it answers', async () => {
    const ana = device('ana hung network', { delivery: 'COOKIE' });
    await signUp(ana, 'ana', 'Ana');
    const session = ana.client.session();
    await ana.close();
    ana.wipeStorage();
    let answer = () => {};
    const answered = new Promise<void>((resolve) => {
      answer = resolve;
    });
    ana.gate = (request) => (request === '/auth/refresh' ? answered : undefined);

    await ana.restart(); // resolves although the refresh has no answer yet
    expect(ana.client.session()).toBeNull();
    answer();
    await until(() => ana.client.session() !== null, 'the cookie check to sign the device in');
    expect(ana.client.session()).toEqual(session);
  });

  it('opens signed out when there is no cookie, showing no problem', async () => {
    const fresh = device('new browser', { delivery: 'COOKIE' });
    await fresh.client.ready;
    expect(fresh.client.session()).toBeNull();
    expect(fresh.client.syncState().problem).toBeNull();
    expect(fresh.count('/auth/refresh')).toBe(1);
  });

  it('does not come back after signing out, even when the sign-out could not reach the server', async () => {
    const ana = device('ana browser', { delivery: 'COOKIE' });
    const h = await signUp(ana, 'ana', 'Ana');
    await ana.client.signOut();
    expect(ana.cookies.has('mailboat_refresh')).toBe(false); // the server cleared it
    ana.wipeStorage();
    await ana.restart();
    expect(ana.client.session()).toBeNull();

    await ana.client.signIn({ handle: h, password: PASSWORD });
    const cookie = ana.cookies.get('mailboat_refresh')!.value;
    ana.offline = true;
    await ana.client.signOut(); // the server never hears of it: the cookie still works
    expect(ana.client.session()).toBeNull();
    await ana.restart();
    expect(ana.client.session()).toBeNull();

    ana.offline = false;
    await ana.restart(); // finishes the sign-out instead of restoring the session
    expect(ana.client.session()).toBeNull();
    expect(ana.count('SignOut')).toBe(2); // offline attempts never left the device
    expect(ana.cookies.has('mailboat_refresh')).toBe(false);
    expect(await refreshWith(api(), { cookie })).toMatchObject({ status: 401, code: 'REFRESH_TOKEN_INVALID' });
    await ana.restart();
    expect(ana.client.session()).toBeNull();
    expect(ana.count('SignOut')).toBe(2); // offline attempts never left the device
  });
});

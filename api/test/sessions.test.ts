import { afterEach, describe, expect, it, vi } from 'vitest';
import { hashSecret } from '../src/auth/secrets.js';
import { decodeGlobalId } from '../src/global-ids.js';
import { backends, deviceInput, SIGN_IN, useTestApp } from './harness.js';

const VIEWER = '{ viewer { device { id } } }';

describe.each(backends)('sessions and refresh tokens on %s', (backend) => {
  const app = useTestApp(backend, {
    REFRESH_IDLE_TTL_SECONDS: '600',
    REFRESH_ABSOLUTE_TTL_SECONDS: '1000',
    ACCESS_TOKEN_TTL_SECONDS: '900',
    REFRESH_REUSE_GRACE_SECONDS: '30',
  });
  afterEach(() => vi.useRealTimers());

  it('rotates: each refresh returns a new working access token and a new refresh token', async () => {
    const { client } = app();
    const s = await client.signUp('rot');
    const first = await client.refresh(s.refreshToken);
    expect(first.status).toBe(200);
    expect(first.body.refreshToken).not.toBe(s.refreshToken);
    const viewer = await client.ok(VIEWER, {}, first.body.accessToken);
    expect(viewer.viewer.device.id).toBe(s.deviceId);
    const second = await client.refresh(first.body.refreshToken);
    expect(second.status).toBe(200);
  });

  it('revokes the whole family when a used refresh token is presented after its successor was used', async () => {
    const { client } = app();
    const s = await client.signUp('reuse');
    const other = await client.signIn(s.handle, s.password, 'Untouched laptop');
    const rotated = await client.refresh(s.refreshToken);
    expect(rotated.status).toBe(200);
    const next = await client.refresh(rotated.body.refreshToken);
    expect(next.status).toBe(200);

    const replay = await client.refresh(s.refreshToken);
    expect(replay.status).toBe(401);
    expect(replay.body.errors[0].extensions.code).toBe('REFRESH_TOKEN_REUSED');

    const latest = await client.refresh(next.body.refreshToken);
    expect(latest.body.errors[0].extensions.code).toBe('REFRESH_TOKEN_INVALID');
    const access = await client.gql(VIEWER, {}, { token: next.body.accessToken });
    expect(access.status).toBe(401);
    expect(access.errors?.[0]?.extensions?.code).toBe('DEVICE_REVOKED');
    // Other devices of the same user keep their sessions.
    expect((await client.ok(VIEWER, {}, other.accessToken)).viewer.device.id).toBe(other.deviceId);
    expect((await client.refresh(other.refreshToken)).status).toBe(200);
  });

  it('lets a refresh whose answer was lost be retried: the unused successor is retired, one token stays live', async () => {
    const { client } = app();
    const s = await client.signUp('lost');
    const lost = await client.refresh(s.refreshToken); // its answer never reached the device
    expect(lost.status).toBe(200);
    const retried = await client.refresh(s.refreshToken);
    expect(retried.status).toBe(200);
    expect(retried.body.refreshToken).not.toBe(lost.body.refreshToken);
    expect((await client.ok(VIEWER, {}, retried.body.accessToken)).viewer.device.id).toBe(s.deviceId);
    expect((await client.refresh(retried.body.refreshToken)).status).toBe(200);
    // The retired successor counts as reused if it ever turns up: whoever holds it is not the device.
    const stale = await client.refresh(lost.body.refreshToken);
    expect(stale.body.errors[0].extensions.code).toBe('REFRESH_TOKEN_REUSED');
  });

  it('treats a retry after the grace period as reuse, even with the successor unused', async () => {
    const { client } = app();
    const s = await client.signUp('late');
    expect((await client.refresh(s.refreshToken)).status).toBe(200);
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(Date.now() + 31_000);
    const late = await client.refresh(s.refreshToken);
    expect(late.body.errors[0].extensions.code).toBe('REFRESH_TOKEN_REUSED');
  });

  it('never deadlocks when a retry of the old token races a refresh with its successor', async () => {
    const { client } = app();
    for (let i = 0; i < 5; i++) {
      const s = await client.signUp(`both${i}`);
      const first = await client.refresh(s.refreshToken);
      const [retry, successor] = await Promise.all([client.refresh(s.refreshToken), client.refresh(first.body.refreshToken)]);
      // Whichever comes second finds its token used or retired by the other: a copy is in play.
      expect([retry.status, successor.status].sort()).toEqual([200, 401]);
      const refused = retry.status === 401 ? retry : successor;
      expect(refused.body.errors[0].extensions.code).toBe('REFRESH_TOKEN_REUSED');
    }
  });

  it('leaves exactly one live token when two refreshes with the same token race', async () => {
    const { client, deps } = app();
    const s = await client.signUp('race');
    const results = await Promise.all([client.refresh(s.refreshToken), client.refresh(s.refreshToken)]);
    expect(results.map((r) => r.status)).toEqual([200, 200]);
    const live = await deps.db
      .selectFrom('refresh_tokens')
      .select('token_hash')
      .where('device_id', '=', decodeGlobalId(s.deviceId).id)
      .where('used_at', 'is', null)
      .execute();
    expect(live).toHaveLength(1);
    const survivors = results.filter((r) => live[0]?.token_hash === hashSecret(r.body.refreshToken));
    expect(survivors).toHaveLength(1);
  });

  it('expires a refresh token after inactivity', async () => {
    const { client } = app();
    const s = await client.signUp('idle');
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(Date.now() + 601_000);
    const r = await client.refresh(s.refreshToken);
    expect(r.status).toBe(401);
    expect(r.body.errors[0].extensions.code).toBe('REFRESH_TOKEN_INVALID');
  });

  it('ends a session at its absolute lifetime even when refreshed regularly', async () => {
    const { client } = app();
    const s = await client.signUp('absolute');
    const start = Date.now();
    vi.useFakeTimers({ toFake: ['Date'] });
    let token = s.refreshToken;
    for (const at of [500, 990]) {
      vi.setSystemTime(start + at * 1000);
      const r = await client.refresh(token);
      expect(r.status).toBe(200);
      token = r.body.refreshToken;
      expect(new Date(r.body.refreshTokenExpiresAt).getTime()).toBeLessThanOrEqual(start + 1_001_000);
    }
    vi.setSystemTime(start + 1_010_000);
    const r = await client.refresh(token);
    expect(r.body.errors[0].extensions.code).toBe('REFRESH_TOKEN_INVALID');
  });

  it('refuses an expired access token with TOKEN_EXPIRED', async () => {
    const { client } = app();
    const s = await client.signUp('expired');
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(Date.now() + 901_000);
    const r = await client.gql(VIEWER, {}, { token: s.accessToken });
    expect(r.status).toBe(401);
    expect(r.errors?.[0]?.extensions?.code).toBe('TOKEN_EXPIRED');
  });

  it('refuses an unknown refresh token and a request with none', async () => {
    const { client } = app();
    const unknown = await client.refresh('x'.repeat(43));
    expect(unknown.body.errors[0].extensions.code).toBe('REFRESH_TOKEN_INVALID');
    const none = await client.request('/auth/refresh', { method: 'POST' });
    expect(none.status).toBe(401);
    expect((await client.request('/auth/refresh')).status).toBe(405);
  });

  it('signs out: the device stops working and the refresh cookie is cleared', async () => {
    const { client } = app();
    const s = await client.signUp('bye');
    const res = await client.gql('mutation { signOut { revokedDevices } }', {}, { token: s.accessToken });
    expect(res.data?.signOut.revokedDevices).toEqual([s.deviceId]);
    expect(res.headers.get('set-cookie')).toMatch(/mailboat_refresh=;.*Max-Age=0/);
    expect((await client.gql(VIEWER, {}, { token: s.accessToken })).errors?.[0]?.extensions?.code).toBe('DEVICE_REVOKED');
    expect((await client.refresh(s.refreshToken)).body.errors[0].extensions.code).toBe('REFRESH_TOKEN_INVALID');
  });

  it('signs out of every device at once', async () => {
    const { client } = app();
    const a = await client.signUp('all');
    const b = await client.signIn(a.handle, a.password);
    const res = await client.ok('mutation { signOutEverywhere { revokedDevices } }', {}, b.accessToken);
    expect(res.signOutEverywhere.revokedDevices.sort()).toEqual([a.deviceId, b.deviceId].sort());
    for (const s of [a, b]) {
      expect((await client.gql(VIEWER, {}, { token: s.accessToken })).errors?.[0]?.extensions?.code).toBe('DEVICE_REVOKED');
    }
  });
});

describe.each(backends)('the browser refresh cookie on %s', (backend) => {
  const app = useTestApp(backend);

  async function signInWithCookie(origin = 'http://localhost') {
    const { client } = app();
    const s = await client.signUp('cookie');
    const res = await app().yoga.fetch(`${origin}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/graphql-response+json' },
      body: JSON.stringify({
        query: SIGN_IN,
        variables: { input: { handle: s.handle, password: s.password, device: deviceInput('Browser') } },
      }),
    });
    const body = await res.json();
    const setCookie = res.headers.get('set-cookie') ?? '';
    const cookie = setCookie.split(';')[0] ?? '';
    return { body, setCookie, cookie };
  }

  const refreshWithCookie = (cookie: string, headers: Record<string, string>) =>
    app().client.request('/auth/refresh', { method: 'POST', headers: { cookie, ...headers } });

  it('puts the refresh token only in an HttpOnly, SameSite=Strict cookie scoped to the refresh endpoint', async () => {
    const { body, setCookie } = await signInWithCookie();
    expect(body.data.signIn.refreshToken).toBeNull();
    expect(setCookie).toMatch(/^mailboat_refresh=[\w-]{20,};/);
    expect(setCookie).toContain('Path=/auth/refresh');
    expect(setCookie).toContain('HttpOnly');
    expect(setCookie).toContain('SameSite=Strict');
    expect(setCookie).not.toContain('Secure');
  });

  it('marks the cookie Secure when served over HTTPS', async () => {
    const { setCookie } = await signInWithCookie('https://localhost');
    expect(setCookie).toContain('Secure');
  });

  it('refreshes a same-origin request from the cookie and rotates the cookie', async () => {
    const { cookie } = await signInWithCookie();
    const res = await refreshWithCookie(cookie, { 'sec-fetch-site': 'same-origin' });
    expect(res.status).toBe(200);
    const body = await res.json();
    expect(body.refreshToken).toBeNull();
    expect(body.accessToken).toMatch(/^ey/);
    const rotated = res.headers.get('set-cookie') ?? '';
    expect(rotated).toMatch(/^mailboat_refresh=/);
    expect(rotated.split(';')[0]).not.toBe(cookie);
    const legacy = await refreshWithCookie(rotated.split(';')[0] ?? '', { origin: 'http://localhost' });
    expect(legacy.status).toBe(200);
  });

  it('rejects cross-site cookie refreshes without consuming the token', async () => {
    const { cookie } = await signInWithCookie();
    const crossSite = await refreshWithCookie(cookie, { 'sec-fetch-site': 'cross-site' });
    expect(crossSite.status).toBe(403);
    expect((await crossSite.json()).errors[0].extensions.code).toBe('CROSS_SITE_REQUEST');
    const foreignOrigin = await refreshWithCookie(cookie, { origin: 'https://evil.example' });
    expect(foreignOrigin.status).toBe(403);
    const noOrigin = await refreshWithCookie(cookie, {});
    expect(noOrigin.status).toBe(403);
    const sameSite = await refreshWithCookie(cookie, { 'sec-fetch-site': 'same-origin' });
    expect(sameSite.status).toBe(200);
  });
});

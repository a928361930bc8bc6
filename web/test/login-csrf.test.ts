import { describe, expect, it } from 'vitest';
import type { App } from '../../api/src/app.js';
import { databaseNames, signUp, startApi, until, useDevices } from './harness.js';

// Short access tokens, so the app refreshes within the test.
const api = startApi({ ACCESS_TOKEN_TTL_SECONDS: '10' });

async function expired(app: App, accessToken: string): Promise<boolean> {
  const res = await app.yoga.fetch('http://localhost/graphql', {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${accessToken}` },
    body: JSON.stringify({ query: '{ viewer { device { id } } }' }),
  });
  return ((await res.json()) as { errors?: { extensions?: { code?: string } }[] }).errors?.[0]?.extensions?.code === 'TOKEN_EXPIRED';
}

describe('a refresh cookie planted from another site (login CSRF)', () => {
  const device = useDevices(api);

  it("never lets the app continue as another account: it signs out, says why, and wipes Ana's data", async () => {
    const ana = device('ana browser', { delivery: 'COOKIE' });
    await signUp(ana, 'ana', 'Ana');
    const group = await ana.client.createGroup('Ana only', []);
    ana.client.send(group, 'private to Ana');
    await until(() => ana.client.syncState().pending === 0, 'the write to be pushed');
    const anaUser = ana.client.session()?.user.id;

    // The attacker signs into their own account; a forged cross-site sign-in puts that refresh cookie in Ana's browser.
    const attacker = device('attacker browser', { delivery: 'COOKIE' });
    await signUp(attacker, 'mallory', 'Mallory');
    const planted = attacker.cookies.get('mailboat_refresh');
    expect(planted).toBeDefined();
    ana.cookies.set('mailboat_refresh', planted as { value: string; path: string });

    const token = ana.bearers.at(-1) as string;
    await until(() => expired(api(), token), "Ana's access token to expire", 30_000);
    await ana.client.devices().catch(() => undefined); // needs a fresh token: the app refreshes

    await until(() => ana.client.session() === null, 'the app to sign out');
    expect(ana.client.syncState().problem).toMatch(/another site tried to sign this browser into a different account/);
    await until(async () => !(await databaseNames(ana)).some((n) => n.startsWith(`mailboat:${anaUser}`)), "Ana's data to be wiped");
    // No request after the refresh went out as the attacker's account.
    const attackerTokens = ana.bearers.filter(
      (b) => JSON.parse(atob(b.split('.')[1] as string)).sub !== JSON.parse(atob(token.split('.')[1] as string)).sub,
    );
    expect(attackerTokens).toEqual([]);
  }, 60_000);
});

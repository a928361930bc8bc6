import { describe, expect, it } from 'vitest';
import { deviceInput, SIGN_IN, useTestApp } from './harness.js';

/**
 * Login CSRF: a page on another site can make the browser POST a form (urlencoded, multipart)
 * or text/plain to /graphql without asking; only JSON, which needs a CORS preflight, is taken.
 */
describe('GraphQL accepts JSON bodies only', () => {
  const app = useTestApp('pglite');

  const signInVariables = (handle: string, password: string) => ({
    input: { handle, password, device: deviceInput('Forged'), refreshTokenDelivery: 'COOKIE' },
  });

  const devicesOf = async (token: string) =>
    (await app().client.ok('{ viewer { devices(first: 10) { edges { node { id } } } } }', {}, token)).viewer.devices.edges.length as number;

  it('refuses a signIn posted as a form, multipart or text/plain, sets no cookie and signs nobody in', async () => {
    const { client } = app();
    const attacker = await client.signUp('attacker');
    const variables = JSON.stringify(signInVariables(attacker.handle, attacker.password));
    const form = new URLSearchParams({ query: SIGN_IN, variables });
    const multipart = new FormData();
    multipart.set('query', SIGN_IN);
    multipart.set('variables', variables);
    const bodies: [string, RequestInit][] = [
      ['urlencoded', { body: form }],
      ['multipart', { body: multipart }],
      [
        'text/plain',
        { body: JSON.stringify({ query: SIGN_IN, variables: JSON.parse(variables) }), headers: { 'content-type': 'text/plain' } },
      ],
      ['no type', { body: new Blob([JSON.stringify({ query: SIGN_IN })]) }],
    ];
    for (const [name, init] of bodies) {
      const res = await client.request('/graphql', {
        method: 'POST',
        ...init,
        headers: { origin: 'https://evil.example', ...init.headers },
      });
      expect(res.status, name).toBe(415);
      expect(res.headers.get('set-cookie'), name).toBeNull();
      const body = await res.json();
      expect(body.errors[0].extensions.code, name).toBe('UNSUPPORTED_MEDIA_TYPE');
    }
    expect(await devicesOf(attacker.accessToken)).toBe(1);
  });

  it('takes JSON, with or without a charset', async () => {
    const { client } = app();
    for (const type of ['application/json', 'application/json; charset=utf-8']) {
      const res = await client.request('/graphql', {
        method: 'POST',
        headers: { 'content-type': type, accept: 'application/json' },
        body: JSON.stringify({ query: '{ __typename }' }),
      });
      expect(res.status, type).toBe(200);
      expect(await res.json()).toEqual({ data: { __typename: 'Query' } });
    }
  });

  it('names whose session a refresh continues, so the app can tell it is still its own account', async () => {
    const { client } = app();
    const ana = await client.signUp('whose');
    const refreshed = await client.refresh(ana.refreshToken);
    expect(refreshed.status).toBe(200);
    expect(refreshed.body).toMatchObject({ userId: ana.userId, deviceId: ana.deviceId });
  });
});

import { describe, expect, it } from 'vitest';
import { backends, deviceInput, SIGN_IN, SIGN_UP, useTestApp } from './harness.js';

describe.each(backends)('accounts on %s', (backend) => {
  const app = useTestApp(backend);

  it('signs up, then answers the viewer with the new user and device', async () => {
    const { client } = app();
    const s = await client.signUp('ana', 'Ana');
    const data = await client.ok('{ viewer { user { id handle displayName } device { id name isCurrent } } }', {}, s.accessToken);
    expect(data.viewer.user).toEqual({ id: s.userId, handle: s.handle, displayName: 'Ana' });
    expect(data.viewer.device).toEqual({ id: s.deviceId, name: 'Test phone', isCurrent: true });
    expect(s.userId).toMatch(/^usr_[0-9a-f]{32}$/);
  });

  it('refuses a taken handle, case-insensitively, and stores nothing', async () => {
    const { client } = app();
    const s = await client.signUp('bo');
    const r = await client.gql(SIGN_UP, {
      input: { handle: s.handle.toUpperCase(), password: 'another password', displayName: 'Other', device: deviceInput() },
    });
    expect(r.errors?.[0]?.extensions?.code).toBe('HANDLE_TAKEN');
    const signedIn = await client.signIn(s.handle, s.password);
    expect(signedIn.userId).toBe(s.userId);
  });

  it('rejects invalid sign-up input with BAD_USER_INPUT naming the field', async () => {
    const { client } = app();
    const cases = [
      [{ handle: 'no spaces allowed' }, 'handle'],
      [{ handle: 'x' }, 'handle'],
      [{ password: 'short' }, 'password'],
      [{ displayName: '   ' }, 'displayName'],
      [{ device: { name: '', platform: 'web', appVersion: '1' } }, 'device.name'],
    ] as const;
    for (const [patch, field] of cases) {
      const input = {
        handle: `valid_${field.replace('.', '_')}`,
        password: 'long enough pw',
        displayName: 'Valid',
        device: deviceInput(),
        ...patch,
      };
      const r = await client.gql(SIGN_UP, { input });
      expect(r.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field });
    }
    const r = await client.gql(SIGN_IN, { input: { handle: 'valid_handle', password: 'long enough pw', device: deviceInput() } });
    expect(r.errors?.[0]?.extensions?.code).toBe('INVALID_CREDENTIALS');
  });

  it('refuses a wrong password or unknown handle with the same INVALID_CREDENTIALS', async () => {
    const { client } = app();
    const s = await client.signUp('cy');
    const wrong = await client.gql(SIGN_IN, { input: { handle: s.handle, password: 'wrong password', device: deviceInput() } });
    const unknown = await client.gql(SIGN_IN, { input: { handle: 'nobody_here', password: 'wrong password', device: deviceInput() } });
    expect(wrong.errors?.[0]?.extensions?.code).toBe('INVALID_CREDENTIALS');
    expect(unknown.errors?.[0]?.message).toBe(wrong.errors?.[0]?.message);
    const devices = await client.ok('{ viewer { devices { edges { node { id } } } } }', {}, s.accessToken);
    expect(devices.viewer.devices.edges).toHaveLength(1);
  });

  it('updates the display name', async () => {
    const { client } = app();
    const s = await client.signUp('dee');
    const data = await client.ok('mutation { updateProfile(displayName: "  Dee D  ") { displayName } }', {}, s.accessToken);
    expect(data.updateProfile.displayName).toBe('Dee D');
  });

  it('answers 401 with a code for a malformed, forged or expired access token', async () => {
    const { client } = app();
    const s = await client.signUp('eve');
    const malformed = await client.gql('{ viewer { user { id } } }', {}, { token: 'not-a-jwt' });
    expect(malformed.status).toBe(401);
    expect(malformed.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
    const [h, p] = s.accessToken.split('.');
    const forged = await client.gql('{ viewer { user { id } } }', {}, { token: `${h}.${p}.AAAA` });
    expect(forged.status).toBe(401);
    const basic = await client.gql('{ viewer { user { id } } }', {}, { headers: { authorization: 'Basic abc' } });
    expect(basic.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
    const anonymous = await client.gql('{ viewer { user { id } } }');
    expect(anonymous.data).toEqual({ viewer: null });
  });
});

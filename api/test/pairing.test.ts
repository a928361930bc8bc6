import { afterEach, describe, expect, it, vi } from 'vitest';
import { backends, deviceInput, SESSION_FIELDS, useTestApp } from './harness.js';

const CREATE = 'mutation { createPairingCode { code expiresAt } }';
const REDEEM = `mutation($input: RedeemPairingCodeInput!) { redeemPairingCode(input: $input) { ${SESSION_FIELDS} } }`;
const redeemInput = (code: string, name = 'New desktop') => ({ input: { code, device: deviceInput(name), refreshTokenDelivery: 'BODY' } });

describe.each(backends)('linking a device with a pairing code on %s', (backend) => {
  const app = useTestApp(backend, { PAIRING_CODE_TTL_SECONDS: '120' });
  afterEach(() => vi.useRealTimers());

  it('signs a new device into the same account, once', async () => {
    const { client } = app();
    const phone = await client.signUp('pair');
    const { createPairingCode } = await client.ok(CREATE, {}, phone.accessToken);
    expect(createPairingCode.code).toMatch(/^[0-9A-HJKMNP-TV-Z]{8}$/);
    expect(Date.parse(createPairingCode.expiresAt) - Date.now()).toBeGreaterThan(100_000);

    const typed = `${createPairingCode.code.slice(0, 4).toLowerCase()}-${createPairingCode.code.slice(4)}`;
    const redeemed = await client.ok(REDEEM, redeemInput(typed));
    expect(redeemed.redeemPairingCode.user.id).toBe(phone.userId);
    expect(redeemed.redeemPairingCode.device.id).not.toBe(phone.deviceId);
    const viewer = await client.ok('{ viewer { user { id } device { name } } }', {}, redeemed.redeemPairingCode.accessToken);
    expect(viewer.viewer).toEqual({ user: { id: phone.userId }, device: { name: 'New desktop' } });

    const again = await client.gql(REDEEM, redeemInput(createPairingCode.code, 'Intruder'));
    expect(again.errors?.[0]?.extensions?.code).toBe('PAIRING_CODE_INVALID');
    const devices = await client.ok('{ viewer { devices { edges { node { name } } } } }', {}, phone.accessToken);
    expect(devices.viewer.devices.edges.map((e: any) => e.node.name)).toEqual(['Test phone', 'New desktop']);
  });

  it('expires after a few minutes, creating nothing', async () => {
    const { client } = app();
    const phone = await client.signUp('late');
    const { createPairingCode } = await client.ok(CREATE, {}, phone.accessToken);
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(Date.now() + 121_000);
    const r = await client.gql(REDEEM, redeemInput(createPairingCode.code));
    expect(r.errors?.[0]?.extensions?.code).toBe('PAIRING_CODE_EXPIRED');
    vi.useRealTimers();
    const devices = await client.ok('{ viewer { devices { edges { node { id } } } } }', {}, phone.accessToken);
    expect(devices.viewer.devices.edges).toHaveLength(1);
  });

  it('refuses unknown codes and needs a signed-in device to create one', async () => {
    const { client } = app();
    expect((await client.gql(REDEEM, redeemInput('ZZZZZZZZ'))).errors?.[0]?.extensions?.code).toBe('PAIRING_CODE_INVALID');
    expect((await client.gql(CREATE)).errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
  });

  it('dies with the device that created it', async () => {
    const { client } = app();
    const phone = await client.signUp('dead');
    const other = await client.signIn(phone.handle, phone.password);
    const { createPairingCode } = await client.ok(CREATE, {}, phone.accessToken);
    await client.ok('mutation($id: ID!) { revokeDevice(id: $id) { id } }', { id: phone.deviceId }, other.accessToken);
    expect((await client.gql(REDEEM, redeemInput(createPairingCode.code))).errors?.[0]?.extensions?.code).toBe('PAIRING_CODE_INVALID');
  });

  it('lets exactly one of two simultaneous redemptions win', async () => {
    const { client } = app();
    const phone = await client.signUp('race');
    const { createPairingCode } = await client.ok(CREATE, {}, phone.accessToken);
    const results = await Promise.all([
      client.gql(REDEEM, redeemInput(createPairingCode.code, 'A')),
      client.gql(REDEEM, redeemInput(createPairingCode.code, 'B')),
    ]);
    expect(results.filter((r) => r.data?.redeemPairingCode).length).toBe(1);
    expect(results.filter((r) => r.errors?.[0]?.extensions?.code === 'PAIRING_CODE_INVALID').length).toBe(1);
  });
});

import { describe, expect, it } from 'vitest';
import { direct, person, REGISTER, say, settled, useNotifyWorld } from './notifications-harness.js';

/**
 * With PUSH_ALLOW_LOCAL_ENDPOINTS off (the default), the server never sends to its own network:
 * registration refuses endpoints it can see are bad, each with a typed BAD_USER_INPUT that says
 * why and nothing stored, and a host name that resolves to a private address is refused when
 * sending (no connection is made), its subscription deleted.
 */
describe('push subscription registration (SSRF guard on)', () => {
  const world = useNotifyWorld('pglite', { PUSH_ALLOW_LOCAL_ENDPOINTS: 'false' });
  const ENABLED = '{ viewer { device { notificationsEnabled } } }';

  const refusals: [string, { endpoint?: string; p256dh?: string; auth?: string }, string][] = [
    ['plain http', { endpoint: 'http://push.example.com/s/1' }, 'endpoint'],
    ['loopback IPv4', { endpoint: 'https://127.0.0.1/s/1' }, 'endpoint'],
    ['loopback IPv4, other spelling', { endpoint: 'https://2130706433/s/1' }, 'endpoint'],
    ['private 10/8', { endpoint: 'https://10.1.2.3:8443/s/1' }, 'endpoint'],
    ['link-local (cloud metadata)', { endpoint: 'https://169.254.169.254/latest' }, 'endpoint'],
    ['IPv6 loopback', { endpoint: 'https://[::1]/s/1' }, 'endpoint'],
    ['IPv6 unique local', { endpoint: 'https://[fc00::1]/s/1' }, 'endpoint'],
    ['IPv4-mapped IPv6 loopback', { endpoint: 'https://[::ffff:127.0.0.1]/s/1' }, 'endpoint'],
    ['user info', { endpoint: 'https://user:pw@push.example.com/s/1' }, 'endpoint'],
    ['too long', { endpoint: `https://push.example.com/${'a'.repeat(1024)}` }, 'endpoint'],
    ['not a URL', { endpoint: 'push service' }, 'endpoint'],
    ['a NUL byte', { endpoint: 'https://push.example.com/s/1\u0000x' }, 'endpoint'],
    ['a control character', { endpoint: 'https://push.example.com/s/\u0007' }, 'endpoint'],
    ['a line break (stripped by URL parsers)', { endpoint: 'https://push.exa\nmple.com/s/1' }, 'endpoint'],
    ['a bidi override', { endpoint: 'https://push.example.com/s/\u202e1' }, 'endpoint'],
    ['a non-ASCII host', { endpoint: 'https://pùsh.example.com/s/1' }, 'endpoint'],
    ['a space', { endpoint: 'https://push.example.com/s 1' }, 'endpoint'],
    ['p256dh too short', { p256dh: Buffer.alloc(33, 4).toString('base64url') }, 'p256dh'],
    ['p256dh not on the curve', { p256dh: Buffer.concat([Buffer.from([4]), Buffer.alloc(64, 1)]).toString('base64url') }, 'p256dh'],
    ['p256dh not base64url', { p256dh: '!!!' }, 'p256dh'],
    ['auth of 8 bytes', { auth: Buffer.alloc(8).toString('base64url') }, 'auth'],
  ];

  for (const [name, change, field] of refusals) {
    it(`refuses ${name} with BAD_USER_INPUT on ${field}, storing nothing`, async () => {
      const { client, push } = world();
      const bo = await person(client, 'Bo');
      const sub = push.newSubscription();
      const input = { endpoint: 'https://push.example.com/s/1', p256dh: sub.p256dh, auth: sub.auth, ...change };
      const r = await client.gql(REGISTER, { input }, { token: bo.accessToken });
      expect(r.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field });
      expect(r.errors?.[0]?.message.length).toBeGreaterThan(10);
      expect((await client.ok(ENABLED, {}, bo.accessToken)).viewer.device.notificationsEnabled).toBe(false);
    });
  }

  it('accepts a public https endpoint', async () => {
    const { client, push } = world();
    const bo = await person(client, 'Bo');
    const sub = push.newSubscription();
    const input = { endpoint: 'https://fcm.googleapis.com/fcm/send/abc:def', p256dh: sub.p256dh, auth: sub.auth };
    const r = await client.ok(REGISTER, { input }, bo.accessToken);
    expect(r.registerPushSubscription.notificationsEnabled).toBe(true);
  });

  it('refuses at send time a host name that resolves to a private address: no connection, subscription deleted', async () => {
    const { client, push, app } = world();
    const ana = await person(client, 'Ana');
    const bo = await person(client, 'Bo');
    const conversationId = await direct(client, ana, bo);
    const sub = push.newSubscription();
    // localhost resolves to 127.0.0.1, where the push service listens.
    const endpoint = sub.endpoint.replace('http://127.0.0.1', 'https://localhost');
    const r = await client.ok(REGISTER, { input: { endpoint, p256dh: sub.p256dh, auth: sub.auth } }, bo.accessToken);
    expect(r.registerPushSubscription.notificationsEnabled).toBe(true);
    const before = push.connections();
    await say(client, ana, conversationId, 'to the internal network?');
    await settled(app);
    expect(push.connections()).toBe(before);
    expect(push.received).toEqual([]);
    expect((await client.ok(ENABLED, {}, bo.accessToken)).viewer.device.notificationsEnabled).toBe(false);
    expect(app.deps.notifications.stats.sent).toBe(0);
  });
});

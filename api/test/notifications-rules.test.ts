import { describe, expect, it } from 'vitest';
import { decodeGlobalId } from '../src/global-ids.js';
import { direct, person, pushesOf, say, settled, subscribe, useNotifyWorld } from './notifications-harness.js';

/**
 * Who is not notified: the author (on any of their devices), a member who muted the
 * conversation (until the mute ends or is lifted), and a device that was revoked or signed out
 * (its subscription is deleted at once).
 */
describe('notification rules', () => {
  const world = useNotifyWorld('pglite');
  const MUTE = `mutation($c: ID!, $d: MuteDuration!) { muteConversation(conversationId: $c, duration: $d) { id muted { until } } }`;
  const UNMUTE = `mutation($c: ID!) { unmuteConversation(conversationId: $c) { id muted { until } } }`;

  it('never notifies the author, on the device they wrote from or their others', async () => {
    const { client, push, app } = world();
    const ana = await person(client, 'Ana');
    const anaTablet = await client.signIn(ana.handle, ana.password, 'Tablet');
    const bo = await person(client, 'Bo');
    const conversationId = await direct(client, ana, bo);
    const phone = await subscribe(client, push, ana);
    const tablet = await subscribe(client, push, anaTablet);
    const boSub = await subscribe(client, push, bo);
    await say(client, ana, conversationId, 'from the phone');
    await say(client, anaTablet, conversationId, 'from the tablet');
    await push.waitFor(() => pushesOf(push, boSub).length >= 1);
    await settled(app);
    expect(pushesOf(push, phone)).toEqual([]);
    expect(pushesOf(push, tablet)).toEqual([]);
    // Bo's reply reaches both of Ana's devices.
    await say(client, bo, conversationId, 'hello both');
    await push.waitFor(() => pushesOf(push, phone).length === 1 && pushesOf(push, tablet).length === 1);
  });

  it('sends nothing while muted for 8 hours or always, and again once unmuted', async () => {
    const { client, push, app } = world();
    const ana = await person(client, 'Ana');
    const bo = await person(client, 'Bo');
    const conversationId = await direct(client, ana, bo);
    const sub = await subscribe(client, push, bo);

    const eight = await client.ok(MUTE, { c: conversationId, d: 'EIGHT_HOURS' }, bo.accessToken);
    const until = Date.parse(eight.muteConversation.muted.until);
    expect(until - Date.now()).toBeGreaterThan(7.9 * 3600_000);
    expect(until - Date.now()).toBeLessThanOrEqual(8 * 3600_000);
    await say(client, ana, conversationId, 'muted for eight hours');
    await settled(app);
    expect(pushesOf(push, sub)).toEqual([]);

    const always = await client.ok(MUTE, { c: conversationId, d: 'ALWAYS' }, bo.accessToken);
    expect(always.muteConversation.muted).toEqual({ until: null });
    const list = await client.ok('{ viewer { conversations(first: 10) { edges { node { id muted { until } } } } } }', {}, bo.accessToken);
    expect(list.viewer.conversations.edges.map((e: { node: unknown }) => e.node)).toContainEqual({
      id: conversationId,
      muted: { until: null },
    });
    await say(client, ana, conversationId, 'muted always');
    await settled(app);
    expect(pushesOf(push, sub)).toEqual([]);

    // The mute is Bo's alone: Ana still hears Bo.
    const anaSub = await subscribe(client, push, ana);
    await say(client, bo, conversationId, 'I muted you');
    await push.waitFor(() => pushesOf(push, anaSub).length === 1);

    const unmuted = await client.ok(UNMUTE, { c: conversationId }, bo.accessToken);
    expect(unmuted.unmuteConversation.muted).toBeNull();
    await say(client, ana, conversationId, 'unmuted now');
    await push.waitFor(() => pushesOf(push, sub).length === 1);
    expect(pushesOf(push, sub)[0]?.payload).toMatchObject({ body: 'unmuted now', count: 3 });
  });

  it('refuses to mute a conversation the viewer is not in, with NOT_FOUND', async () => {
    const { client } = world();
    const ana = await person(client, 'Ana');
    const bo = await person(client, 'Bo');
    const cy = await person(client, 'Cy');
    const conversationId = await direct(client, ana, bo);
    const r = await client.gql(MUTE, { c: conversationId, d: 'ALWAYS' }, { token: cy.accessToken });
    expect(r.errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
  });

  it('deletes the subscription of a revoked or signed-out device at once, and sends it nothing more', async () => {
    const { client, push, app } = world();
    const ana = await person(client, 'Ana');
    const bo = await person(client, 'Bo');
    const boLaptop = await client.signIn(bo.handle, bo.password, 'Laptop');
    const conversationId = await direct(client, ana, bo);
    const phone = await subscribe(client, push, bo);
    const laptop = await subscribe(client, push, boLaptop);

    await client.ok('mutation($id: ID!) { revokeDevice(id: $id) { id } }', { id: boLaptop.deviceId }, bo.accessToken);
    const devices = await client.ok('{ viewer { devices(first: 10) { edges { node { id notificationsEnabled } } } } }', {}, bo.accessToken);
    expect(devices.viewer.devices.edges.map((e: { node: unknown }) => e.node)).toEqual([{ id: bo.deviceId, notificationsEnabled: true }]);
    await say(client, ana, conversationId, 'after the revocation');
    await push.waitFor(() => pushesOf(push, phone).length === 1);
    await settled(app);
    expect(pushesOf(push, laptop)).toEqual([]);

    await client.ok('mutation { signOut { __typename } }', {}, bo.accessToken);
    const rows = await app.deps.db
      .selectFrom('push_subscriptions')
      .select('device_id')
      .where('user_id', '=', decodeGlobalId(bo.userId).id)
      .execute();
    expect(rows).toEqual([]);
    await say(client, ana, conversationId, 'after signing out');
    await settled(app);
    expect(pushesOf(push, phone)).toHaveLength(1);
  });

  it('removePushSubscription turns notifications off for the device, idempotently', async () => {
    const { client, push, app } = world();
    const ana = await person(client, 'Ana');
    const bo = await person(client, 'Bo');
    const conversationId = await direct(client, ana, bo);
    const sub = await subscribe(client, push, bo);
    for (let i = 0; i < 2; i++) {
      const r = await client.ok('mutation { removePushSubscription { notificationsEnabled } }', {}, bo.accessToken);
      expect(r.removePushSubscription.notificationsEnabled).toBe(false);
    }
    await say(client, ana, conversationId, 'nobody hears this');
    await settled(app);
    expect(pushesOf(push, sub)).toEqual([]);
  });
});

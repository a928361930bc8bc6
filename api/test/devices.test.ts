import { describe, expect, it } from 'vitest';
import { backends, type SseReader, useTestApp } from './harness.js';

const EVENTS = `subscription { events {
  __typename
  ... on DeviceRevokedEvent { deviceId }
  ... on DeviceAddedEvent { device { id name } }
} }`;

const DEVICES = `{ viewer { devices(first: 10) { edges { node { id name platform appVersion isCurrent createdAt lastSeenAt lastSyncAt revokedAt } } } } }`;

/** Reads events until one matches, failing on timeout. */
async function nextMatching(reader: SseReader, match: (m: { event: string; data: any }) => boolean) {
  for (;;) {
    const m = await reader.next();
    if (match(m) || m.event === 'end') return m;
  }
}

describe.each(backends)('devices on %s', (backend) => {
  const app = useTestApp(backend);

  it('lists the signed-in devices with their details, the current one marked', async () => {
    const { client } = app();
    const phone = await client.signUp('devs');
    const laptop = await client.signIn(phone.handle, phone.password, 'Laptop');
    const data = await client.ok(DEVICES, {}, laptop.accessToken);
    const nodes = data.viewer.devices.edges.map((e: any) => e.node);
    expect(nodes.map((d: any) => [d.id, d.name, d.isCurrent])).toEqual([
      [phone.deviceId, 'Test phone', false],
      [laptop.deviceId, 'Laptop', true],
    ]);
    expect(nodes[0]).toMatchObject({ platform: 'test', appVersion: '1.0.0', lastSyncAt: null, revokedAt: null });
    expect(Date.parse(nodes[0].lastSeenAt)).toBeGreaterThan(Date.now() - 60_000);
  });

  it('pages through devices with cursors', async () => {
    const { client } = app();
    const s = await client.signUp('pages');
    for (let i = 0; i < 3; i++) await client.signIn(s.handle, s.password, `Device ${i}`);
    const seen: string[] = [];
    let after: string | null = null;
    for (;;) {
      const data: any = await client.ok(
        'query($after: String) { viewer { devices(first: 2, after: $after) { edges { node { name } } pageInfo { hasNextPage endCursor } } } }',
        { after },
        s.accessToken,
      );
      seen.push(...data.viewer.devices.edges.map((e: any) => e.node.name));
      if (!data.viewer.devices.pageInfo.hasNextPage) break;
      after = data.viewer.devices.pageInfo.endCursor;
    }
    expect(seen).toEqual(['Test phone', 'Device 0', 'Device 1', 'Device 2']);
    const bad = await client.gql('{ viewer { devices(after: "garbage") { edges { cursor } } } }', {}, { token: s.accessToken });
    expect(bad.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
  });

  it('revokes a device at once: access token, refresh token, open subscription and writes', async () => {
    const { client } = app();
    const phone = await client.signUp('revoke');
    const stolen = await client.signIn(phone.handle, phone.password, 'Stolen tablet');
    const stolenEvents = await client.subscribe(EVENTS, stolen.accessToken);
    const phoneEvents = await client.subscribe(EVENTS, phone.accessToken);
    expect(stolenEvents.status).toBe(200);

    const revoked = await client.ok(
      'mutation($id: ID!) { revokeDevice(id: $id) { id revokedAt } }',
      { id: stolen.deviceId },
      phone.accessToken,
    );
    expect(revoked.revokeDevice.revokedAt).not.toBeNull();

    const ended = await nextMatching(stolenEvents, (m) => Boolean(m.data?.errors));
    expect(ended.data?.errors?.[0]?.extensions?.code).toBe('DEVICE_REVOKED');
    const notice = await nextMatching(phoneEvents, (m) => m.data?.data?.events?.__typename === 'DeviceRevokedEvent');
    expect(notice.data.data.events.deviceId).toBe(stolen.deviceId);

    const read = await client.gql('{ viewer { user { id } } }', {}, { token: stolen.accessToken });
    expect(read.status).toBe(401);
    expect(read.errors?.[0]?.extensions?.code).toBe('DEVICE_REVOKED');
    const write = await client.gql('mutation { updateProfile(displayName: "Thief") { displayName } }', {}, { token: stolen.accessToken });
    expect(write.errors?.[0]?.extensions?.code).toBe('DEVICE_REVOKED');
    expect((await client.refresh(stolen.refreshToken)).body.errors[0].extensions.code).toBe('REFRESH_TOKEN_INVALID');
    const resubscribe = await client.subscribe(EVENTS, stolen.accessToken);
    expect(resubscribe.status).toBe(401);

    const remaining = await client.ok(DEVICES, {}, phone.accessToken);
    expect(remaining.viewer.devices.edges.map((e: any) => e.node.id)).toEqual([phone.deviceId]);
    const me = await client.ok('{ viewer { user { displayName } } }', {}, phone.accessToken);
    expect(me.viewer.user.displayName).toBe('Test User');
    stolenEvents.close();
    phoneEvents.close();
  });

  it('tells other devices when a device signs in', async () => {
    const { client } = app();
    const phone = await client.signUp('added');
    const events = await client.subscribe(EVENTS, phone.accessToken);
    const laptop = await client.signIn(phone.handle, phone.password, 'New laptop');
    const m = await nextMatching(events, (e) => e.data?.data?.events?.__typename === 'DeviceAddedEvent');
    expect(m.data.data.events.device).toEqual({ id: laptop.deviceId, name: 'New laptop' });
    events.close();
  });

  it("hides other people's devices and refuses to revoke them", async () => {
    const { client } = app();
    const ana = await client.signUp('ana');
    const bob = await client.signUp('bob');
    const node = await client.ok('query($id: ID!) { node(id: $id) { id } }', { id: bob.deviceId }, ana.accessToken);
    expect(node.node).toBeNull();
    const r = await client.gql('mutation($id: ID!) { revokeDevice(id: $id) { id } }', { id: bob.deviceId }, { token: ana.accessToken });
    expect(r.errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
    expect((await client.ok('{ viewer { device { id } } }', {}, bob.accessToken)).viewer.device.id).toBe(bob.deviceId);
    const wrongType = await client.gql(
      'mutation($id: ID!) { revokeDevice(id: $id) { id } }',
      { id: bob.userId },
      { token: ana.accessToken },
    );
    expect(wrongType.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'id' });
  });
});

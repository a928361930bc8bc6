import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningApp, startApp } from './environment.js';
import { freshPostgresUrl, TestClient, testEnv } from './harness.js';

// Real Postgres only: the limits are shared through the database that several nodes use.
describe('rate limits shared by every API node on one Postgres', () => {
  let nodes: { app: RunningApp; client: TestClient }[] = [];

  beforeAll(async () => {
    const url = await freshPostgresUrl();
    const env = testEnv({ DATABASE_URL: url, WRITES_PER_MINUTE: '3', AUTH_ATTEMPTS_PER_MINUTE: '4' });
    for (let i = 0; i < 2; i++) {
      const app = await startApp(env);
      nodes.push({ app, client: new TestClient(app) });
    }
  });

  afterAll(async () => {
    for (const { app } of nodes) await app.close();
    nodes = [];
  });

  it('counts writes made through any node against one budget', async () => {
    const [a, b] = nodes as [(typeof nodes)[number], (typeof nodes)[number]];
    const ana = await a.client.signUp('ana');
    const rename = (client: TestClient, name: string) =>
      client.gql('mutation($n: String!) { updateProfile(displayName: $n) { displayName } }', { n: name }, { token: ana.accessToken });
    expect((await rename(a.client, 'one')).errors).toBeUndefined();
    expect((await rename(b.client, 'two')).errors).toBeUndefined();
    expect((await rename(a.client, 'three')).errors).toBeUndefined();
    const fourth = await rename(b.client, 'four');
    expect(fourth.errors?.[0]?.extensions?.code).toBe('RATE_LIMITED');
    const me = await a.client.ok('{ viewer { user { displayName } } }', {}, ana.accessToken);
    expect(me.viewer.user.displayName).toBe('three');
  });

  it('counts sign-in attempts from one address across nodes', async () => {
    const [a, b] = nodes as [(typeof nodes)[number], (typeof nodes)[number]];
    // The first test's sign-up used one attempt of this address ("unknown" in-process).
    const attempt = (client: TestClient) =>
      client.gql('mutation($i: SignInInput!) { signIn(input: $i) { accessToken } }', {
        i: { handle: 'nobody_here', password: 'wrong password', device: { name: 'x', platform: 'x', appVersion: '1' } },
      });
    const codes = [];
    for (const client of [a.client, b.client, a.client, b.client]) codes.push((await attempt(client)).errors?.[0]?.extensions?.code);
    expect(codes).toEqual(['INVALID_CREDENTIALS', 'INVALID_CREDENTIALS', 'INVALID_CREDENTIALS', 'RATE_LIMITED']);
  });
});

import { request as httpRequest } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listen } from './environment.js';
import { backends, deviceInput, SIGN_IN, SIGN_UP, type TestClient, useTestApp } from './harness.js';

const MAX_BODY_BYTES = 2048;
const limitsEnv = {
  MAX_QUERY_DEPTH: '5',
  MAX_ALIASES: '3',
  MAX_QUERY_COST: '200',
  MAX_BODY_BYTES: String(MAX_BODY_BYTES),
  WRITES_PER_MINUTE: '3',
  AUTH_ATTEMPTS_PER_MINUTE: '4',
  // Lets each test come from its own client address (X-Forwarded-For), so auth budgets do not mix.
  TRUST_PROXY: 'true',
};

let nextAddress = 1;
const freshIp = () => `198.51.100.${nextAddress++}`;

/** Signs up a new user from client address `ip`; returns its handle, password and access token. */
async function signUpFrom(client: TestClient, ip: string, displayName = 'Limit Tester') {
  const handle = `lim_${Math.random().toString(16).slice(2, 10)}`;
  const password = 'correct horse battery';
  const input = { handle, password, displayName, device: deviceInput(), refreshTokenDelivery: 'BODY' };
  const r = await client.gql(SIGN_UP, { input }, { headers: { 'x-forwarded-for': ip } });
  if (!r.data) throw new Error(`sign-up failed: ${JSON.stringify(r.errors)}`);
  return { handle, password, token: r.data.signUp.accessToken as string };
}

const displayNameOf = async (client: TestClient, token: string) =>
  (await client.ok('{ viewer { user { displayName } } }', {}, token)).viewer.user.displayName as string;

const UPDATE_PROFILE = 'mutation($name: String!) { updateProfile(displayName: $name) { displayName } }';

describe.each(backends)('request limits on %s', (backend) => {
  const app = useTestApp(backend, limitsEnv);

  it('refuses a query deeper than MAX_QUERY_DEPTH with QUERY_TOO_DEEP, fragments included', async () => {
    const { client } = app();
    const ok = await client.gql('{ viewer { devices { edges { node { id } } } } }');
    expect(ok.errors).toBeUndefined();
    const deep = '{ viewer { conversations { edges { node { members { edges { node { id } } } } } } } }';
    const viaFragments = `{ viewer { ...C } } fragment C on Viewer { conversations { edges { node { ...M } } } }
      fragment M on Conversation { members { edges { node { id } } } }`;
    for (const query of [deep, viaFragments]) {
      const r = await client.gql(query);
      expect(r.status).toBe(400);
      expect(r.data).toBeUndefined();
      // Refused while validating: the cost (counted when it would run) is never reached.
      expect(r.errors?.map((e) => e.extensions?.code)).toEqual(['QUERY_TOO_DEEP']);
    }
  });

  it('refuses more than MAX_ALIASES aliases with TOO_MANY_ALIASES, and executes nothing', async () => {
    const { client } = app();
    const user = await signUpFrom(client, freshIp(), 'Before');
    const three = await client.gql('{ a: __typename b: __typename c: __typename }');
    expect(three.data).toEqual({ a: 'Query', b: 'Query', c: 'Query' });
    const names = ['a', 'b', 'c', 'd'].map((a) => `${a}: updateProfile(displayName: "Changed ${a}") { id }`);
    const r = await client.gql(`mutation { ${names.join(' ')} }`, {}, { token: user.token });
    expect(r.status).toBe(400);
    expect(r.errors?.map((e) => e.extensions?.code)).toEqual(['TOO_MANY_ALIASES']);
    expect(await displayNameOf(client, user.token)).toBe('Before');
  });

  it('refuses a query whose cost is over MAX_QUERY_COST with QUERY_TOO_COMPLEX, page sizes from variables too', async () => {
    const { client } = app();
    const user = await signUpFrom(client, freshIp());
    // viewer and devices: a query (30) and an object (1) each; then an edge and a node per device: 62 + 2 × page.
    const devices = (page: string) =>
      `query${page.includes('$n') ? '($n: Int)' : ''} { viewer { devices${page && `(${page})`} { edges { node { id name isCurrent } } } } }`;
    for (const [page, n] of [
      ['first: $n', 69],
      ['', undefined],
      ['first: 69', undefined],
    ] as const) {
      const cheap = await client.gql(devices(page), { n }, { token: user.token });
      expect(cheap.errors).toBeUndefined();
      expect(cheap.data?.viewer.devices.edges).toHaveLength(1);
    }
    for (const [page, n] of [
      ['first: $n', 70],
      ['last: 70', undefined],
    ] as const) {
      const costly = await client.gql(devices(page), { n }, { token: user.token });
      expect(costly.status).toBe(400);
      expect(costly.data).toBeUndefined();
      expect(costly.errors?.map((e) => e.extensions?.code)).toEqual(['QUERY_TOO_COMPLEX']);
      expect(costly.errors?.[0]?.extensions).toMatchObject({ cost: 202, maxCost: 200 });
    }
  });

  it('limits writes per user: the mutation over WRITES_PER_MINUTE is RATE_LIMITED and changes nothing', async () => {
    const { client } = app();
    const user = await signUpFrom(client, freshIp(), 'Name 0');
    for (const n of [1, 2, 3]) {
      const r = await client.gql(UPDATE_PROFILE, { name: `Name ${n}` }, { token: user.token });
      expect(r.data?.updateProfile.displayName).toBe(`Name ${n}`);
    }
    const limited = await client.gql(UPDATE_PROFILE, { name: 'Name 4' }, { token: user.token });
    expect(limited.status).toBe(429);
    expect(limited.data).toBeUndefined();
    expect(limited.errors?.[0]?.extensions?.code).toBe('RATE_LIMITED');
    const retryAfter = limited.errors?.[0]?.extensions?.retryAfterSeconds;
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(retryAfter).toBeLessThanOrEqual(60);
    expect(limited.headers.get('retry-after')).toBe(String(retryAfter));
    // application/json clients get the same error with 200 (GraphQL-over-HTTP legacy media type).
    const legacy = await client.request('/graphql', {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json', authorization: `Bearer ${user.token}` },
      body: JSON.stringify({ query: UPDATE_PROFILE, variables: { name: 'Name 5' } }),
    });
    expect(legacy.status).toBe(200);
    expect((await legacy.json()).errors[0].extensions.code).toBe('RATE_LIMITED');
    // Nothing changed, queries still work, and another user's writes are not affected.
    expect(await displayNameOf(client, user.token)).toBe('Name 3');
    const other = await signUpFrom(client, freshIp());
    expect((await client.ok(UPDATE_PROFILE, { name: 'Other' }, other.token)).updateProfile.displayName).toBe('Other');
  });

  it('limits sign-in attempts per client address with RATE_LIMITED, creating no device', async () => {
    const { client } = app();
    const ip = freshIp();
    const user = await signUpFrom(client, ip); // attempt 1 of 4
    const signIn = (password: string, from: string) =>
      client.gql(
        SIGN_IN,
        { input: { handle: user.handle, password, device: deviceInput('Attacker') } },
        { headers: { 'x-forwarded-for': from } },
      );
    for (let i = 0; i < 3; i++) expect((await signIn('wrong password', ip)).errors?.[0]?.extensions?.code).toBe('INVALID_CREDENTIALS');
    const limited = await signIn(user.password, ip);
    expect(limited.data?.signIn ?? null).toBeNull();
    expect(limited.errors?.[0]?.extensions?.code).toBe('RATE_LIMITED');
    expect(limited.errors?.[0]?.extensions?.retryAfterSeconds).toBeGreaterThanOrEqual(1);
    const devices = await client.ok('{ viewer { devices { edges { node { name } } } } }', {}, user.token);
    expect(devices.viewer.devices.edges).toHaveLength(1);
    // Sign-up from that address is limited too; another address still signs in.
    const again = await client.gql(
      SIGN_UP,
      { input: { handle: 'lim_blocked', password: 'correct horse battery', displayName: 'B', device: deviceInput() } },
      { headers: { 'x-forwarded-for': ip } },
    );
    expect(again.errors?.[0]?.extensions?.code).toBe('RATE_LIMITED');
    const elsewhere = await signIn(user.password, freshIp());
    expect(elsewhere.errors).toBeUndefined();
    expect(elsewhere.data?.signIn.user.handle).toBe(user.handle);
  });

  describe('request bodies over MAX_BODY_BYTES, on a real HTTP listener', () => {
    let base = '';
    let stop: (() => Promise<void>) | undefined;
    beforeAll(async () => {
      ({ url: base, close: stop } = await listen(app()));
    });
    afterAll(() => stop?.());

    const body = (name: string, padding: number) =>
      JSON.stringify({ query: UPDATE_PROFILE, variables: { name, padding: 'x'.repeat(padding) } });

    /** POSTs `payload` in 256-byte chunks with Transfer-Encoding: chunked and no Content-Length. */
    const postChunked = (payload: string, token: string) =>
      new Promise<{ status: number; body: any }>((resolve, reject) => {
        const req = httpRequest(`${base}/graphql`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', accept: 'application/graphql-response+json', authorization: `Bearer ${token}` },
        });
        req.on('error', reject);
        req.on('response', (res) => {
          let text = '';
          res.setEncoding('utf8');
          res.on('data', (chunk: string) => {
            text += chunk;
          });
          res.on('end', () => resolve({ status: res.statusCode ?? 0, body: JSON.parse(text) }));
        });
        expect(req.getHeader('content-length')).toBeUndefined();
        for (let i = 0; i < payload.length; i += 256) req.write(payload.slice(i, i + 256));
        req.end();
      });

    it('refuses a body declared by Content-Length with 413 REQUEST_TOO_LARGE, changing nothing', async () => {
      const { client } = app();
      const user = await signUpFrom(client, freshIp(), 'Unchanged');
      const payload = body('Too large', MAX_BODY_BYTES);
      const res = await fetch(`${base}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'application/graphql-response+json', authorization: `Bearer ${user.token}` },
        body: payload,
      });
      expect(res.status).toBe(413);
      expect((await res.json()).errors[0].extensions.code).toBe('REQUEST_TOO_LARGE');
      expect(await displayNameOf(client, user.token)).toBe('Unchanged');
    });

    it('refuses a chunked body without Content-Length once it passes the limit, changing nothing', async () => {
      const { client } = app();
      const user = await signUpFrom(client, freshIp(), 'Unchanged');
      const res = await postChunked(body('Too large', 4 * MAX_BODY_BYTES), user.token);
      expect(res.status).toBe(413);
      expect(res.body.errors[0].extensions.code).toBe('REQUEST_TOO_LARGE');
      expect(await displayNameOf(client, user.token)).toBe('Unchanged');
    });

    it('executes a chunked body under the limit normally', async () => {
      const { client } = app();
      const user = await signUpFrom(client, freshIp(), 'Before');
      const payload = body('After', 512);
      expect(payload.length).toBeLessThan(MAX_BODY_BYTES);
      const res = await postChunked(payload, user.token);
      expect(res.status).toBe(200);
      expect(res.body.data.updateProfile.displayName).toBe('After');
    });
  });
});

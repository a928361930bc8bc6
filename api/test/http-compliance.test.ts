import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { getIntrospectionQuery } from 'graphql';
import { serverAudits } from 'graphql-http';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAppDeps } from '../src/app.js';
import { loadConfig } from '../src/config.js';
import type { Db } from '../src/db/connect.js';
import { createAppPubSub } from '../src/events/pubsub.js';
import { createRateLimits } from '../src/http/rate-limits.js';
import { createMailboatYoga } from '../src/yoga.js';
import { listen } from './environment.js';
import { backends, startTestApp, testEnv, useTestApp } from './harness.js';

const JSON_TYPE = 'application/json';
const GQL_RESPONSE = 'application/graphql-response+json';

describe.each(backends)('GraphQL over HTTP on %s', (backend) => {
  const app = useTestApp(backend);
  let base = '';
  let stop: (() => Promise<void>) | undefined;
  beforeAll(async () => {
    const listening = await listen(app());
    base = listening.url;
    stop = listening.close;
  });
  afterAll(() => stop?.());

  const post = (accept: string, body: unknown, headers: Record<string, string> = {}) =>
    fetch(`${base}/graphql`, { method: 'POST', headers: { 'content-type': JSON_TYPE, accept, ...headers }, body: JSON.stringify(body) });

  it("passes every one of graphql-http's server audits on a real HTTP listener", async () => {
    const audits = serverAudits({ url: `${base}/graphql`, fetchFn: fetch });
    expect(audits.length).toBeGreaterThan(50);
    const results = await Promise.all(audits.map((audit) => audit.fn()));
    const notOk = results.filter((r) => r.status !== 'ok').map((r) => `${r.status.toUpperCase()} ${r.id} ${r.name}: ${r.reason}`);
    expect(notOk, `audits not ok:\n${notOk.join('\n')}`).toEqual([]);
  });

  it('answers 200 to a partial result with a field error, in both media types', async () => {
    const query = '{ __typename userByHandle(handle: "nobody") { id } }';
    for (const accept of [GQL_RESPONSE, JSON_TYPE]) {
      const res = await post(accept, { query });
      const body = await res.json();
      expect(body.data).toEqual({ __typename: 'Query', userByHandle: null });
      expect(body.errors[0].extensions.code).toBe('UNAUTHENTICATED');
      expect([accept, res.status]).toEqual([accept, 200]);
      expect(res.headers.get('content-type')).toContain(accept);
    }
  });

  it('answers a request error with 4xx for graphql-response+json and 200 for application/json', async () => {
    const cases: { body: unknown; headers: Record<string, string>; code: string; status: number }[] = [
      {
        body: { query: '{ viewer { user { id } } }' },
        headers: { authorization: 'Bearer not-a-jwt' },
        code: 'UNAUTHENTICATED',
        status: 401,
      },
      { body: { query: '{ viewer { nope } }' }, headers: {}, code: 'GRAPHQL_VALIDATION_FAILED', status: 400 },
      { body: { query: '{ a: __typename b: __typename', variables: {} }, headers: {}, code: 'GRAPHQL_PARSE_FAILED', status: 400 },
    ];
    for (const c of cases) {
      const strict = await post(GQL_RESPONSE, c.body, c.headers);
      const strictBody = await strict.json();
      expect([c.code, strict.status, 'data' in strictBody]).toEqual([c.code, c.status, false]);
      expect(strictBody.errors[0].extensions.code).toBe(c.code);
      const legacy = await post(JSON_TYPE, c.body, c.headers);
      const legacyBody = await legacy.json();
      expect([c.code, legacy.status]).toEqual([c.code, 200]);
      expect(legacyBody.errors[0].extensions.code).toBe(c.code);
    }
  });

  it('answers the standard introspection query (GraphiQL needs it) under the default limits', async () => {
    const res = await post(GQL_RESPONSE, { query: getIntrospectionQuery() });
    const body = await res.json();
    expect(body.errors).toBeUndefined();
    expect(res.status).toBe(200);
    expect(body.data.__schema.queryType.name).toBe('Query');
  });

  it('hides field suggestions from clients', async () => {
    const res = await post(GQL_RESPONSE, { query: '{ viewr { user { id } } }' });
    const body = await res.json();
    expect(res.status).toBe(400);
    expect(body.errors[0].message).toContain('viewr');
    expect(body.errors[0].message).not.toContain('Did you mean');
  });

  it('masks an unexpected failure as "Unexpected error." with INTERNAL_SERVER_ERROR', async () => {
    const { client } = app();
    const s = await client.signUp('mask');
    // Make the database fail under one resolver: the client must learn nothing about it.
    await sql`alter table conversation_members rename to conversation_members_away`.execute(app().deps.db);
    const r = await client
      .gql('{ viewer { conversations(first: 1) { edges { node { id } } } } }', {}, { token: s.accessToken })
      .finally(() => sql`alter table conversation_members_away rename to conversation_members`.execute(app().deps.db));
    expect(r.errors?.[0]?.message).toBe('Unexpected error.');
    expect(r.errors?.[0]?.extensions).toEqual({ code: 'INTERNAL_SERVER_ERROR' });
    expect(JSON.stringify(r.errors)).not.toMatch(/uuid|syntax|postgres/i);
  });

  it('reports invalid pagination arguments as BAD_USER_INPUT, not as an uncoded error', async () => {
    const { client } = app();
    const s = await client.signUp('pages');
    const r = await client.gql('{ viewer { devices(first: -1) { edges { node { id } } } } }', {}, { token: s.accessToken });
    expect(r.status).toBe(200);
    expect(r.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    expect(r.errors?.[0]?.message).toContain('first');
  });

  it('answers GET /health with 200', async () => {
    const res = await fetch(`${base}/health`);
    expect(res.status).toBe(200);
  });

  it('answers GET /ready with 200 while the database works', async () => {
    const res = await fetch(`${base}/ready`);
    expect(res.status).toBe(200);
  });

  it('serves GraphiQL at GET /graphql to a browser outside production', async () => {
    const res = await fetch(`${base}/graphql`, { headers: { accept: 'text/html' } });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('text/html');
    const html = await res.text();
    expect(html).toContain('Mailboat GraphQL');
    expect(html.toLowerCase()).toContain('graphiql');
  });
});

describe.each(backends)('readiness on %s', (backend) => {
  it('is not ready once the database is gone, while /health still answers 200', async () => {
    const app = await startTestApp(backend);
    try {
      expect((await app.client.request('/ready')).status).toBe(200);
      await app.deps.db.destroy();
      const ready = await app.client.request('/ready');
      expect(ready.status).not.toBe(200);
      expect(ready.status).toBeGreaterThanOrEqual(500);
      expect((await app.client.request('/health')).status).toBe(200);
    } finally {
      rmSync(app.dataDir, { recursive: true, force: true });
    }
  });
});

describe('GraphiQL in production', () => {
  it('is not served when NODE_ENV=production', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'mailboat-test-'));
    try {
      const config = loadConfig(testEnv({ NODE_ENV: 'production', DATA_DIR: dataDir }));
      expect(config.graphiql).toBe(false);
      // No request here reaches the database.
      const yoga = createMailboatYoga(
        createAppDeps({
          db: {} as Db,
          pubsub: createAppPubSub(),
          config,
          rateLimits: createRateLimits(config),
          eventsFlowing: () => true,
        }),
      );
      const res = await yoga.fetch('http://localhost/graphql', { headers: { accept: 'text/html' } });
      const text = await res.text();
      expect(res.status).not.toBe(200);
      expect(res.headers.get('content-type') ?? '').not.toContain('text/html');
      expect(text.toLowerCase()).not.toContain('graphiql');
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});

import { describe, expect, it } from 'vitest';
import { GRAPHIQL_CSP } from '../src/http/graphiql-page.js';
import { useTestApp } from './harness.js';

const html = { headers: { accept: 'text/html' } };

describe('GraphiQL, served from this server only', () => {
  const app = useTestApp('pglite');

  it('serves its page under a Content-Security-Policy that allows this origin only, loading nothing from elsewhere', async () => {
    const { client } = app();
    const res = await client.request('/graphql', html);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-security-policy')).toBe(GRAPHIQL_CSP);
    expect(GRAPHIQL_CSP).toContain("script-src 'self'");
    const page = await res.text();
    expect(page).not.toMatch(/https?:\/\//);
    expect(page).not.toMatch(/<script>(?!<)/); // no inline script to run
    const assets = [...page.matchAll(/(?:src|href)="([^"]+)"/g)].map((m) => m[1] as string);
    expect(assets.length).toBeGreaterThanOrEqual(3);
    for (const path of [...assets, '/graphiql/editor.worker.js', '/graphiql/json.worker.js', '/graphiql/graphql.worker.js']) {
      const asset = await client.request(path);
      expect(asset.status, path).toBe(200);
      expect(asset.headers.get('content-type'), path).toMatch(/^text\/(javascript|css)/);
      expect((await asset.arrayBuffer()).byteLength, path).toBeGreaterThan(100);
    }
    expect((await client.request('/graphiql/../package.json')).status).not.toBe(200);
    expect((await client.request('/graphiql/yoga-graphiql.es.js')).status).toBe(404);
  });

  it('leaves GraphQL over GET to GraphQL', async () => {
    const res = await app().client.request('/graphql?query=%7B__typename%7D', { headers: { accept: 'application/json' } });
    expect(await res.json()).toEqual({ data: { __typename: 'Query' } });
  });
});

describe('GraphiQL when turned off (the default in production)', () => {
  const app = useTestApp('pglite', { GRAPHIQL: 'false' });

  it('serves neither the page nor its files', async () => {
    const { client } = app();
    const page = await client.request('/graphql', html);
    expect(await page.text()).not.toContain('graphiql');
    expect((await client.request('/graphiql/yoga-graphiql.umd.js')).headers.get('content-type') ?? '').not.toMatch(/javascript/);
  });
});

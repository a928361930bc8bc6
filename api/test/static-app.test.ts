import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { useTestApp } from './harness.js';

const dist = mkdtempSync(join(tmpdir(), 'mailboat-dist-'));
mkdirSync(join(dist, 'assets'));
writeFileSync(join(dist, 'index.html'), '<!doctype html><title>Mailboat</title>');
writeFileSync(join(dist, 'assets', 'app-1a2b3c.js'), 'console.log("app")');
const BUNDLE = `${'export const greeting = "hello from the app shell";\n'.repeat(200)}`;
writeFileSync(join(dist, 'assets', 'big-4d5e6f.js'), BUNDLE);
writeFileSync(join(dist, 'manifest.webmanifest'), '{"name":"Mailboat"}');
writeFileSync(join(dist, '..', `${dist.split('/').pop()}-secret.txt`), 'not yours');

describe('the PWA served on the API port', () => {
  const app = useTestApp('pglite', { WEB_DIST: dist });
  afterAll(() => rmSync(dist, { recursive: true, force: true }));
  const get = (path: string, accept = '*/*') => app().client.request(path, { headers: { accept } });

  it('serves index.html at the root and for client-side routes a browser navigates to', async () => {
    for (const path of ['/', '/conversations/cnv_1', '/devices']) {
      const res = await get(path, 'text/html,application/xhtml+xml');
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toContain('text/html');
      expect(res.headers.get('cache-control')).toBe('no-cache');
      expect(res.headers.get('content-security-policy')).toContain("script-src 'self'");
      expect(res.headers.get('content-security-policy')).toContain("frame-ancestors 'none'");
      expect(await res.text()).toContain('<title>Mailboat</title>');
    }
  });

  it('serves built files with their type, hashed assets cached for a year', async () => {
    const js = await get('/assets/app-1a2b3c.js');
    expect(js.status).toBe(200);
    expect(js.headers.get('content-type')).toContain('text/javascript');
    expect(js.headers.get('cache-control')).toContain('immutable');
    expect(js.headers.get('content-security-policy')).toBeNull(); // a policy is for pages
    const manifest = await get('/manifest.webmanifest');
    expect(manifest.headers.get('content-type')).toBe('application/manifest+json');
    expect(manifest.headers.get('cache-control')).toBe('no-cache');
  });

  it('gzips text files for browsers that accept it, byte for byte the same once decoded', async () => {
    const res = await app().client.request('/assets/big-4d5e6f.js', { headers: { 'accept-encoding': 'gzip, deflate, br' } });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-encoding')).toBe('gzip');
    expect(res.headers.get('vary')).toMatch(/accept-encoding/i);
    expect(res.headers.get('cache-control')).toContain('immutable');
    const bytes = Buffer.from(await res.arrayBuffer());
    expect(bytes.length).toBeLessThan(BUNDLE.length / 10);
    expect(gunzipSync(bytes).toString()).toBe(BUNDLE);
  });

  it('answers 404 for missing files that are not page navigations, and never leaves its folder', async () => {
    expect((await get('/assets/missing.js')).status).toBe(404);
    for (const path of [`/../${dist.split('/').pop()}-secret.txt`, `/%2e%2e/${dist.split('/').pop()}-secret.txt`, '/%E0%A4%A']) {
      const res = await get(path);
      expect(res.status).toBe(404);
      expect(await res.text()).not.toContain('not yours');
    }
  });

  it('leaves the API alone', async () => {
    const health = await get('/health');
    expect(health.status).toBe(200);
    const graphql = await app().client.gql('{ __typename }');
    expect(graphql.data).toEqual({ __typename: 'Query' });
    const refresh = await app().client.request('/auth/refresh', { headers: { accept: 'text/html' } });
    expect(refresh.status).toBe(405);
  });
});

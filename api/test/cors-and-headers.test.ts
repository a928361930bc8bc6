import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../src/config.js';
import { useTestApp } from './harness.js';

const FRONTEND = 'https://chat.example.com';

const graphql = (origin: string | undefined, query = '{ __typename }') => ({
  method: 'POST',
  headers: { 'content-type': 'application/json', ...(origin ? { origin } : {}) },
  body: JSON.stringify({ query }),
});

const preflight = (origin: string) => ({
  method: 'OPTIONS',
  headers: { origin, 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type, authorization' },
});

describe('CORS by default: no other origin may call the API from a browser', () => {
  const app = useTestApp('pglite');

  it('gives no CORS headers to another origin, nor to the null origin, on answers and preflights', async () => {
    const { client } = app();
    for (const origin of ['https://evil.example', 'null', 'http://localhost:4000']) {
      for (const res of [await client.request('/graphql', graphql(origin)), await client.request('/graphql', preflight(origin))]) {
        expect(res.headers.get('access-control-allow-origin'), origin).toBeNull();
        expect(res.headers.get('access-control-allow-credentials'), origin).toBeNull();
      }
    }
  });

  it('puts nosniff on every kind of answer, and no HSTS unless told the server is behind TLS', async () => {
    const { client } = app();
    const answers = {
      graphql: await client.request('/graphql', graphql(undefined)),
      'large, compressed graphql': await client.request('/graphql', {
        ...graphql(undefined, '{ __schema { types { name description } } }'),
        headers: { 'content-type': 'application/json', 'accept-encoding': 'gzip' },
      }),
      'graphql refused as a form': await client.request('/graphql', { method: 'POST', body: new URLSearchParams({ query: '{a}' }) }),
      refresh: await client.request('/auth/refresh', { method: 'POST' }),
      rest: await client.request('/sync/messages'),
      health: await client.request('/health'),
      'app page': await client.request('/'),
    };
    expect(answers['large, compressed graphql'].headers.get('content-encoding')).toBe('gzip');
    for (const [name, res] of Object.entries(answers)) {
      expect(res.headers.get('x-content-type-options'), name).toBe('nosniff');
      expect(res.headers.get('strict-transport-security'), name).toBeNull();
    }
  });
});

describe('CORS_ORIGINS: a frontend team on its own origin', () => {
  const app = useTestApp('pglite', { CORS_ORIGINS: `${FRONTEND}, https://admin.example.com:8443`, HSTS_MAX_AGE_SECONDS: '31536000' });

  it('lets exactly the listed origins call with credentials, and nobody else', async () => {
    const { client } = app();
    for (const init of [graphql(FRONTEND), preflight(FRONTEND)]) {
      const res = await client.request('/graphql', init);
      expect(res.headers.get('access-control-allow-origin')).toBe(FRONTEND);
      expect(res.headers.get('access-control-allow-credentials')).toBe('true');
    }
    const allowed = await client.request('/graphql', preflight(FRONTEND));
    expect(allowed.headers.get('access-control-allow-headers')).toContain('authorization');
    const other = await client.request('/graphql', graphql('https://chat.example.com.evil.example'));
    expect(other.headers.get('access-control-allow-origin')).toBeNull();
  });

  it('sends Strict-Transport-Security when told the server is reached over HTTPS', async () => {
    const res = await app().client.request('/graphql', graphql(undefined));
    expect(res.headers.get('strict-transport-security')).toBe('max-age=31536000; includeSubDomains');
  });

  it('refuses a CORS_ORIGINS entry that is not an origin, naming it', () => {
    const dir = mkdtempSync(join(tmpdir(), 'mailboat-cors-'));
    for (const bad of ['chat.example.com', 'https://chat.example.com/app', 'null', '*']) {
      expect(() => loadConfig({ DATA_DIR: dir, CORS_ORIGINS: bad }), bad).toThrow(ConfigError);
      expect(() => loadConfig({ DATA_DIR: dir, CORS_ORIGINS: bad }), bad).toThrow(/CORS_ORIGINS/);
    }
    expect(loadConfig({ DATA_DIR: dir, CORS_ORIGINS: 'https://A.example/' }).corsOrigins).toEqual(['https://a.example']);
  });
});

import { rmSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { backends, startTestApp, useTestApp } from './harness.js';

/** True when a body shows something of the server's insides: a stack, a path, a driver's words. */
const leaks = (text: string) => /\bat \S+ \(|\/work\/|node_modules|file:\/\/|PGlite|postgres|kysely/i.test(text);

describe.each(backends)('error answers on %s', (backend) => {
  const app = useTestApp(backend);

  it('refuses a `since` outside 1970-9999 as BAD_USER_INPUT instead of failing in the database', async () => {
    const { client } = app();
    const ana = await client.signUp('since');
    for (const since of ['0000-01-01T00:00:00Z', '0001-01-01T00:00:00Z', '1969-12-31T23:59:59Z', '9999-12-31T23:59:59-23:59']) {
      const res = await client.request(`/sync/messages?since=${encodeURIComponent(since)}`, {
        headers: { authorization: `Bearer ${ana.accessToken}` },
      });
      const text = await res.text();
      expect(res.status, since).toBe(400);
      expect(JSON.parse(text).errors[0].extensions, since).toMatchObject({ code: 'BAD_USER_INPUT', field: 'since' });
      expect(leaks(text), since).toBe(false);
    }
    const fine = await client.request('/sync/messages?since=1970-01-01T00:00:00Z', {
      headers: { authorization: `Bearer ${ana.accessToken}` },
    });
    expect(fine.status).toBe(200);
  });

  it('puts an X-Request-Id on every answer, keeping a well-formed one a proxy gave', async () => {
    const { client } = app();
    const paths = ['/graphql?query=%7B__typename%7D', '/sync/messages', '/health', '/', '/no-such-page'];
    const seen = new Set<string>();
    for (const path of paths) {
      const id = (await client.request(path)).headers.get('x-request-id');
      expect(id, path).toMatch(/^[0-9a-f-]{36}$/);
      seen.add(id as string);
    }
    expect(seen.size).toBe(paths.length);
    const given = await client.request('/health', { headers: { 'x-request-id': 'lb-7f3a9c21' } });
    expect(given.headers.get('x-request-id')).toBe('lb-7f3a9c21');
    const forged = await client.request('/health', { headers: { 'x-request-id': 'bad id\u0001<script>' } });
    expect(forged.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('answers a failure nobody planned for as JSON INTERNAL_SERVER_ERROR with the request id, never a stack', async () => {
    const broken = await startTestApp(backend);
    try {
      const ana = await broken.client.signUp('broken');
      await broken.deps.db.destroy();
      const answers = [
        await broken.client.request('/sync/messages', { headers: { authorization: `Bearer ${ana.accessToken}` } }),
        await broken.client.request('/auth/refresh', {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ refreshToken: ana.refreshToken }),
        }),
        await broken.client.request('/graphql', {
          method: 'POST',
          headers: { 'content-type': 'application/json', authorization: `Bearer ${ana.accessToken}` },
          body: JSON.stringify({ query: '{ viewer { user { id } } }' }),
        }),
      ];
      for (const [i, res] of answers.entries()) {
        const text = await res.text();
        // GraphQL over application/json answers 200 with the error in the body (the spec's rule).
        expect(res.status, text).toBe(i === 2 ? 200 : 500);
        expect(res.headers.get('content-type')).toMatch(/^application\/(graphql-response\+)?json/);
        const error = JSON.parse(text).errors[0];
        expect(error.extensions.code).toBe('INTERNAL_SERVER_ERROR');
        expect(leaks(text), text).toBe(false);
        if (error.extensions.requestId !== undefined) expect(error.extensions.requestId).toBe(res.headers.get('x-request-id'));
      }
    } finally {
      rmSync(broken.dataDir, { recursive: true, force: true });
    }
  });
});

import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../src/config.js';
import { useTestApp } from './harness.js';

const INTROSPECT = '{ __schema { queryType { name } } }';

describe('introspection off (as in production)', () => {
  const app = useTestApp('pglite', { INTROSPECTION: 'false', MAX_ALIASES: '3' });

  it('refuses __schema and __type, signed in or not, and still answers __typename', async () => {
    const { client } = app();
    const ana = await client.signUp('intro');
    for (const query of [INTROSPECT, '{ __type(name: "Message") { fields { name } } }']) {
      for (const token of [undefined, ana.accessToken]) {
        const r = await client.gql(query, {}, { token });
        expect(r.status).toBe(400);
        expect(r.data).toBeUndefined();
        expect(r.errors?.[0]?.extensions?.code).toBe('GRAPHQL_VALIDATION_FAILED');
      }
    }
    expect((await client.gql('{ __typename }')).data).toEqual({ __typename: 'Query' });
  });

  it('counts __typename aliases against MAX_ALIASES like any other', async () => {
    const { client } = app();
    const r = await client.gql('{ a: __typename b: __typename c: __typename d: __typename }');
    expect(r.status).toBe(400);
    expect(r.errors?.map((e) => e.extensions?.code)).toEqual(['TOO_MANY_ALIASES']);
  });
});

describe('introspection on (development and test)', () => {
  const app = useTestApp('pglite');

  it('answers __schema', async () => {
    expect((await app().client.gql(INTROSPECT)).data).toEqual({ __schema: { queryType: { name: 'Query' } } });
  });

  it('is off by default with NODE_ENV=production, and can be turned on', () => {
    const dir = mkdtempSync(join(tmpdir(), 'mailboat-introspection-'));
    expect(loadConfig({ DATA_DIR: dir, NODE_ENV: 'production' }).introspection).toBe(false);
    expect(loadConfig({ DATA_DIR: dir, NODE_ENV: 'production', INTROSPECTION: 'true' }).introspection).toBe(true);
    expect(loadConfig({ DATA_DIR: dir }).introspection).toBe(true);
  });
});

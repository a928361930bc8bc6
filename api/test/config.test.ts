import { mkdtempSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig, settingDefaults } from '../src/config.js';

const tempDir = () => mkdtempSync(join(tmpdir(), 'mailboat-config-'));

describe('configuration', () => {
  it('has working defaults: port 4000, ./data, PGlite, 15-minute access tokens', () => {
    const dir = tempDir();
    const config = loadConfig({ DATA_DIR: dir });
    expect(config).toMatchObject({ port: 4000, dataDir: dir, databaseUrl: undefined, accessTokenTtlSeconds: 900, graphiql: true });
    expect(loadConfig({ DATA_DIR: dir, NODE_ENV: 'production' }).graphiql).toBe(false);
    expect(Object.isFrozen(config)).toBe(true);
  });

  it('generates a token secret once, keeps it in DATA_DIR readable only by its owner, and reuses it', () => {
    const dir = tempDir();
    const first = loadConfig({ DATA_DIR: dir });
    const second = loadConfig({ DATA_DIR: dir });
    expect(Buffer.from(first.tokenSecret).toString()).toBe(Buffer.from(second.tokenSecret).toString());
    expect(first.tokenSecret.byteLength).toBeGreaterThanOrEqual(32);
    const file = join(dir, 'secrets.json');
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(JSON.parse(readFileSync(file, 'utf8')).tokenSecret).toBe(Buffer.from(first.tokenSecret).toString());
    const given = loadConfig({ DATA_DIR: tempDir(), TOKEN_SECRET: 'a-given-secret-of-at-least-32-chars!' });
    expect(Buffer.from(given.tokenSecret).toString()).toBe('a-given-secret-of-at-least-32-chars!');
  });

  it('fails loudly, naming every bad variable', () => {
    const attempt = () =>
      loadConfig({
        DATA_DIR: tempDir(),
        PORT: 'eighty',
        DATABASE_URL: 'mysql://x',
        ACCESS_TOKEN_TTL_SECONDS: '3600',
        TOKEN_SECRET: 'short',
      });
    expect(attempt).toThrow(ConfigError);
    try {
      attempt();
    } catch (e) {
      const message = (e as Error).message;
      for (const name of ['PORT', 'DATABASE_URL', 'ACCESS_TOKEN_TTL_SECONDS', 'TOKEN_SECRET']) expect(message).toContain(name);
    }
  });
});

describe("the README's configuration table", () => {
  const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
  const section = readme.slice(readme.indexOf('## Configuration'), readme.indexOf('\n## ', readme.indexOf('## Configuration') + 1));
  /** Table rows by variable name: a row may name several variables (`A` / `B`) with as many defaults. */
  const rows = new Map<string, string>();
  for (const line of section.split('\n').filter((l) => l.startsWith('| `'))) {
    const [names = '', defaults = ''] = line.split('|').slice(1, 3);
    const nameList = [...names.matchAll(/`([A-Z][A-Z0-9_]*)`/g)].map((m) => m[1] as string);
    const defaultList = [...defaults.matchAll(/`([^`]*)`/g)].map((m) => m[1] as string);
    for (const [i, name] of nameList.entries()) {
      rows.set(name, nameList.length === defaultList.length ? (defaultList[i] as string) : defaults.trim());
    }
  }

  it('lists every setting the server reads, with its real default', () => {
    const defaults = settingDefaults();
    expect(Object.keys(defaults).filter((name) => !rows.has(name))).toEqual([]);
    for (const [name, value] of Object.entries(defaults)) {
      if (typeof value === 'number' || typeof value === 'boolean') expect(rows.get(name), name).toBe(String(value));
    }
  });

  it('lists nothing the server does not read', () => {
    expect([...rows.keys()].filter((name) => !(name in settingDefaults()))).toEqual([]);
  });
});

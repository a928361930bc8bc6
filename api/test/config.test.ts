import { mkdtempSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../src/config.js';

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

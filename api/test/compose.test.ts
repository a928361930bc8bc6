// The container setup (docker-compose.yml, Dockerfile, .dockerignore), checked without a Docker
// engine: the compose file against the Compose Specification's JSON schema and dclint's rules,
// then the semantics that matter to Mailboat, through the app's own config parser.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DCLinter } from 'dclint';
import { describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { loadConfig } from '../src/config.js';

const root = fileURLToPath(new URL('../../', import.meta.url));
const read = (file: string) => readFileSync(join(root, file), 'utf8');
const composeFile = join(root, 'docker-compose.yml');
const composeText = read('docker-compose.yml');
const secret = 's'.repeat(48);

type Service = {
  environment?: Record<string, string>;
  depends_on?: Record<string, { condition?: string }>;
  healthcheck?: { test?: string[] | string };
  volumes?: string[];
  ports?: string[];
  restart?: string;
  [key: string]: unknown;
};
type Compose = { services: Record<string, Service>; volumes?: Record<string, unknown>; [key: string]: unknown };

/** dclint's messages for a compose file: schema violations (rule "invalid-schema") and rule findings. */
function lint(path: string, rules: Record<string, 0 | 1 | 2> = {}) {
  const linter = new DCLinter({ rules, quiet: true, debug: false, exclude: [] });
  return linter.lintFiles([path], false).flatMap((r) => r.messages.map((m) => `${m.rule}: ${m.message}`));
}

function lintDocument(doc: unknown, rules: Record<string, 0 | 1 | 2> = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'mailboat-compose-'));
  try {
    writeFileSync(join(dir, 'docker-compose.yml'), stringify(doc));
    return lint(join(dir, 'docker-compose.yml'), rules);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * Compose's variable interpolation of every string value: $$, $VAR, ${VAR}, ${VAR:-default},
 * ${VAR-default}, ${VAR:?error}, ${VAR?error}, ${VAR:+alt}, ${VAR+alt}. Throws on a missing required one.
 */
function interpolate<T>(value: T, env: Record<string, string>): T {
  if (Array.isArray(value)) return value.map((v) => interpolate(v, env)) as T;
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, interpolate(v, env)])) as T;
  }
  if (typeof value !== 'string') return value;
  const pattern = /\$(?:(\$)|\{([A-Za-z_]\w*)(?:(:?)([-?+])([^}]*))?\}|([A-Za-z_]\w*))/g;
  return value.replace(pattern, (_, dollar, braced, colon, op, arg, bare) => {
    if (dollar) return '$';
    const name: string = braced ?? bare;
    const current = env[name];
    const set = colon ? current !== undefined && current !== '' : current !== undefined;
    if (op === '-') return set ? current! : arg;
    if (op === '+') return set ? arg : '';
    if (op === '?' && !set) throw new Error(`${name}: ${arg || 'required'}`);
    return current ?? '';
  }) as T;
}

type Instruction = { keyword: string; args: string };

/** The Dockerfile's instructions, continuation lines joined, comments and parser directives dropped. */
function parseDockerfile(text: string): Instruction[] {
  return text
    .replace(/\\\r?\n/g, ' ')
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('#'))
    .map((line) => {
      const [, keyword = '', args = ''] = /^(\S+)\s*(.*)$/.exec(line) ?? [];
      return { keyword: keyword.toUpperCase(), args };
    });
}

const compose = parse(composeText, { merge: true }) as Compose;
const instructions = parseDockerfile(read('Dockerfile'));
const finalStage = instructions.slice(instructions.findLastIndex((i) => i.keyword === 'FROM'));
const imageEnv = Object.fromEntries(
  finalStage.filter((i) => i.keyword === 'ENV').flatMap((i) => i.args.split(/\s+/).map((pair) => pair.split('=', 2) as [string, string])),
);
const healthTest = (service: Service | undefined) => [service?.healthcheck?.test ?? []].flat().join(' ');

describe('docker-compose.yml', () => {
  const resolved = interpolate(compose, { TOKEN_SECRET: secret });
  const api = resolved.services.api!;
  const postgres = resolved.services.postgres!;
  const apiConfig = () => loadConfig({ ...imageEnv, ...api.environment });

  it('is valid against the Compose Specification and passes dclint as written', () => {
    // Interface binding is judged after interpolation, below.
    expect(lint(composeFile, { 'no-unbound-port-interfaces': 0 })).toEqual([]);
  });

  it('is still valid, with every port bound to an interface, once its variables are interpolated', () => {
    // Quoting is a property of the source text, checked above.
    expect(lintDocument(resolved, { 'require-quotes-in-ports': 0 })).toEqual([]);
  });

  it.each([
    [
      'an unknown depends_on condition',
      (d: Compose) => Object.assign(d.services.api!.depends_on!.postgres!, { condition: 'service_ready' }),
    ],
    ['a misspelled service key', (d: Compose) => Object.assign(d.services.postgres!, { healthchek: d.services.postgres!.healthcheck })],
    ['a healthcheck retries that is not a number', (d: Compose) => Object.assign(d.services.api!.healthcheck!, { retries: [3] })],
  ])('lets the validator reject %s', (_, mutate) => {
    const broken = structuredClone(compose);
    mutate(broken);
    expect(lintDocument(broken).join('\n')).toMatch(/^invalid-schema:/);
  });

  it('refuses to start without TOKEN_SECRET, which has no default', () => {
    expect(() => interpolate(compose, {})).toThrow(/TOKEN_SECRET/);
    expect(compose.services.api?.environment?.TOKEN_SECRET).toMatch(/^\$\{TOKEN_SECRET:\?[^}]*\}$/);
  });

  it('commits no secret: secret-looking variables and the database password come from the environment', () => {
    const whole = /^\$\{[A-Z_][A-Z0-9_]*(:?[-?][^}]*)?\}$/;
    for (const [name, service] of Object.entries(compose.services)) {
      for (const [key, value] of Object.entries(service.environment ?? {})) {
        if (/SECRET|PASSWORD|TOKEN|KEY/i.test(key)) expect(value, `${name}.${key}`).toMatch(whole);
      }
    }
    const password = /^postgres(?:ql)?:\/\/(?:\$\{[^}]*\}|[^:@/$]*):([^@]*)@/.exec(
      compose.services.api?.environment?.DATABASE_URL ?? '',
    )?.[1];
    expect(password).toMatch(whole);
  });

  it('starts the api only once postgres reports healthy through pg_isready', () => {
    expect(api.depends_on?.postgres?.condition).toBe('service_healthy');
    expect(healthTest(postgres)).toMatch(/pg_isready/);
  });

  it("gives the api a configuration that Mailboat's own parser accepts, pointing at the postgres service", () => {
    const config = apiConfig();
    expect(config.env).toBe('production');
    expect(config.host).toBe('0.0.0.0');
    const url = new URL(config.databaseUrl ?? '');
    expect(url.hostname).toBe('postgres');
    expect(Object.keys(resolved.services)).toContain(url.hostname);
  });

  it("uses postgres's own credentials and database in the api's DATABASE_URL, whatever they are set to", () => {
    const env = { TOKEN_SECRET: secret, POSTGRES_USER: 'alice', POSTGRES_PASSWORD: 'pw-123', POSTGRES_DB: 'boats' };
    const custom = interpolate(compose, env);
    const url = new URL(custom.services.api?.environment?.DATABASE_URL ?? '');
    const pg = custom.services.postgres?.environment ?? {};
    expect([url.username, url.password, url.pathname.slice(1), url.port || '5432']).toEqual([
      pg.POSTGRES_USER,
      pg.POSTGRES_PASSWORD,
      pg.POSTGRES_DB,
      '5432',
    ]);
  });

  it('checks the api through /ready on the port it listens on, and publishes that port', () => {
    const { port } = apiConfig();
    expect(healthTest(api)).toContain(`:${port}/ready`);
    expect(api.ports?.map((p) => p.split(':').at(-1))).toContain(String(port));
  });

  it('keeps postgres data and DATA_DIR in declared named volumes', () => {
    const mounts = (s: Service) => (s.volumes ?? []).map((v) => v.split(':') as [string, string]);
    for (const [name, service] of Object.entries(resolved.services)) {
      for (const [source] of mounts(service).filter(([s]) => !/^[./~]/.test(s))) {
        expect(Object.keys(resolved.volumes ?? {}), `${name} mounts ${source}`).toContain(source);
      }
    }
    expect(mounts(postgres).map(([, target]) => target)).toContain('/var/lib/postgresql/data');
    expect(mounts(api).map(([, target]) => target)).toContain(apiConfig().dataDir);
  });

  it('restarts both services after a crash', () => {
    for (const service of [api, postgres]) expect(['always', 'unless-stopped', 'on-failure']).toContain(service.restart);
  });

  const composeCli = spawnSync('docker', ['compose', 'version'], { encoding: 'utf8' }).status === 0;
  it.skipIf(!composeCli)('is accepted by `docker compose config`', () => {
    const r = spawnSync('docker', ['compose', '-f', composeFile, 'config', '--quiet'], {
      encoding: 'utf8',
      env: { ...process.env, TOKEN_SECRET: secret },
    });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
  });
});

describe('Dockerfile', () => {
  const args = (keyword: string, stage = instructions) => stage.filter((i) => i.keyword === keyword).map((i) => i.args);

  it('builds every stage on node:20-slim', () => {
    const froms = args('FROM');
    expect(froms.length).toBeGreaterThan(0);
    for (const from of froms) expect(from).toMatch(/^node:20(\.\d+)*-slim(@\S+)?(\s|$)/);
  });

  it('installs the pnpm that package.json pins, from the lockfile', () => {
    const pinned = JSON.parse(read('package.json')).packageManager as string;
    const runs = args('RUN').join('\n');
    expect(runs).toMatch(new RegExp(`packageManager|${pinned.replaceAll('.', '\\.')}`));
    expect(runs).toMatch(/pnpm install [^\n]*--frozen-lockfile/);
  });

  it('copies the manifest of every workspace package before installing', () => {
    const workspace = parse(read('pnpm-workspace.yaml')) as { packages: string[] };
    const copies = args('COPY').join('\n');
    for (const pkg of workspace.packages) expect(copies).toContain(`${pkg}/package.json`);
  });

  it('runs the api in production on 0.0.0.0, as a user other than root', () => {
    expect(imageEnv).toMatchObject({ NODE_ENV: 'production', HOST: '0.0.0.0' });
    const user = args('USER', finalStage).at(-1);
    expect(user).toBeDefined();
    expect(user).not.toMatch(/^(root|0)(:|$)/);
    expect(finalStage.findLastIndex((i) => i.keyword === 'USER')).toBeLessThan(finalStage.findIndex((i) => i.keyword === 'CMD'));
  });

  it('starts the same entry point as the api start script and checks liveness on /health', () => {
    const entry = JSON.parse(read('api/package.json')).scripts.start.split(/\s+/).at(-1) as string;
    expect(args('CMD', finalStage).at(-1)).toContain(entry);
    expect(args('HEALTHCHECK', finalStage).join(' ')).toContain('/health');
  });

  it('keeps dependencies, local data, git history and env files out of the build context', () => {
    const ignored = read('.dockerignore').split(/\r?\n/);
    for (const pattern of ['**/node_modules', '**/data', '.git', '**/.env']) expect(ignored).toContain(pattern);
  });
});

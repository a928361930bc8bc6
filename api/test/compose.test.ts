// The container setup (docker-compose.yml, deploy/nginx.conf, Dockerfile, .dockerignore), checked
// without a Docker engine: the compose file against the Compose Specification's JSON schema and
// dclint's rules, the load balancer's nginx config by its structure (and by `nginx -t` where nginx
// is installed, which then also carries a presigned upload to a real S3 server), then the
// semantics that matter to Mailboat, through the app's own config parser.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { type AddressInfo, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { limits } from '@mailboat/schema';
import { DCLinter } from 'dclint';
import { describe, expect, it } from 'vitest';
import webpush from 'web-push';
import { parse, stringify } from 'yaml';
import { S3Store } from '../src/attachments/storage/s3-store.js';
import { loadConfig } from '../src/config.js';
import { startS3Server } from './s3-server.js';

const root = fileURLToPath(new URL('../../', import.meta.url));
const read = (file: string) => readFileSync(join(root, file), 'utf8');
const composeFile = join(root, 'docker-compose.yml');
const composeText = read('docker-compose.yml');
const secret = 's'.repeat(48);
const vapid = webpush.generateVAPIDKeys();
const minioSecret = 'm'.repeat(40);
/** What an operator must set: the token secret, the VAPID pair every replica shares, and MinIO's secret. */
const required = {
  TOKEN_SECRET: secret,
  VAPID_PUBLIC_KEY: vapid.publicKey,
  VAPID_PRIVATE_KEY: vapid.privateKey,
  MINIO_ROOT_PASSWORD: minioSecret,
};

type Service = {
  environment?: Record<string, string>;
  command?: string[] | string;
  entrypoint?: string[] | string;
  depends_on?: Record<string, { condition?: string }>;
  healthcheck?: { test?: string[] | string };
  volumes?: string[];
  ports?: string[];
  restart?: string;
  image?: string;
  container_name?: string;
  deploy?: { replicas?: number };
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

/** One nginx directive: its name, its arguments (quotes removed) and, for a block, what it holds. */
type Directive = { name: string; args: string[]; block?: Directive[] };

/** nginx's config syntax: `name args... ;` and `name args... { ... }`, # comments, quoted strings. */
function parseNginx(text: string): Directive[] {
  const tokens = [...text.matchAll(/#[^\n]*|"((?:[^"\\]|\\.)*)"|'((?:[^'\\]|\\.)*)'|([{};])|([^\s{};"'#]+)/g)]
    .filter((m) => !m[0].startsWith('#'))
    .map((m) => ({ punct: m[3], word: m[1] ?? m[2] ?? m[4] ?? '' }));
  let at = 0;
  const parseBlock = (nested: boolean): Directive[] => {
    const out: Directive[] = [];
    while (at < tokens.length) {
      if (tokens[at]!.punct === '}') {
        if (!nested) throw new Error('nginx.conf: unexpected }');
        at++;
        return out;
      }
      const words: string[] = [];
      while (at < tokens.length && !tokens[at]!.punct) words.push(tokens[at++]!.word);
      const end = tokens[at++]?.punct;
      const [name, ...args] = words;
      if (name === undefined || end === undefined || end === '}')
        throw new Error(`nginx.conf: malformed directive near "${words.join(' ')}"`);
      out.push(end === '{' ? { name, args, block: parseBlock(true) } : { name, args });
    }
    if (nested) throw new Error('nginx.conf: missing }');
    return out;
  };
  return parseBlock(false);
}

const blocks = (within: Directive[] | undefined, name: string) => (within ?? []).filter((d) => d.name === name && d.block);

/** A directive's values where `chain` (outermost block first) ends, inherited as nginx does: from the nearest block that sets it. */
function effective(chain: Directive[][], name: string): string[][] {
  for (const block of chain.toReversed()) {
    const found = block.filter((d) => d.name === name && !d.block);
    if (found.length > 0) return found.map((d) => d.args);
  }
  return [];
}

/** An nginx size ("4m", "512k", "1024") in bytes. */
const nginxBytes = (size: string) =>
  Number.parseInt(size, 10) * ({ k: 1024, m: 1024 ** 2, g: 1024 ** 3 }[size.slice(-1).toLowerCase()] ?? 1);
/** An nginx time ("1h", "90s", "1m30s", "60") in seconds. */
const nginxSeconds = (time: string) =>
  [...time.matchAll(/(\d+)(ms|[smhdwMy]?)/g)].reduce(
    (sum, [, n, unit]) =>
      sum + Number(n) * ({ ms: 0.001, '': 1, s: 1, m: 60, h: 3600, d: 86400, w: 604800, M: 2592000, y: 31536000 }[unit!] ?? 0),
    0,
  );

const LB = 'lb';
const NGINX_CONF = 'deploy/nginx.conf';
const STORE = 'minio';
const STORE_INIT = 'minio-init';

/** The object store's address as the api reaches it (S3_ENDPOINT), "http://host:port". */
const storeTarget = (endpoint: string | undefined) => {
  const url = new URL(endpoint ?? 'http://missing');
  return `${url.protocol}//${url.hostname}:${url.port || (url.protocol === 'https:' ? 443 : 80)}`;
};

/**
 * What is wrong with the replicated layout: the api's replicas behind the lb service's nginx
 * (its config given as text). `doc` is the compose file after interpolation. Empty when right.
 */
function deploymentProblems(doc: Compose, nginxText: string): string[] {
  const problems: string[] = [];
  const api = doc.services.api;
  const lb = doc.services[LB];
  if (!api || !lb) return [`services api and ${LB} are both needed`];
  const apiConfig = loadConfig({ ...imageEnv, ...api.environment });

  // Compose: two replicas that only the lb reaches.
  if (api.deploy?.replicas !== 2) problems.push('api: deploy.replicas must be 2');
  if (api.container_name !== undefined) problems.push('api: container_name stops replicas from starting');
  if ((api.volumes ?? []).length > 0) problems.push('api: replicas must keep no state in volumes');
  if (!apiConfig.trustProxy) problems.push('api: TRUST_PROXY must be true behind the lb');
  const published = Object.entries(doc.services).filter(([, s]) => (s.ports ?? []).length > 0);
  if (published.map(([name]) => name).join() !== LB)
    problems.push(`only ${LB} may publish ports, not ${published.map(([n]) => n).join(', ')}`);
  if (!/^nginx:\d+\.\d+\.\d+(-[a-z0-9.]+)?$/.test(lb.image ?? '')) problems.push(`${LB}: image must be nginx with a pinned version tag`);
  if (!(lb.volumes ?? []).includes(`./${NGINX_CONF}:/etc/nginx/nginx.conf:ro`))
    problems.push(`${LB}: must mount ${NGINX_CONF} read-only as nginx.conf`);
  if (lb.depends_on?.api?.condition !== 'service_healthy') problems.push(`${LB}: must wait for a healthy api`);
  if (!['always', 'unless-stopped', 'on-failure'].includes(lb.restart ?? '')) problems.push(`${LB}: must restart after a crash`);

  // nginx.conf.
  let conf: Directive[];
  try {
    conf = parseNginx(nginxText);
  } catch (error) {
    return [...problems, String(error)];
  }
  const http = blocks(conf, 'http')[0]?.block ?? [];
  const servers = blocks(http, 'server').map((s) => s.block!);
  if (blocks(conf, 'events').length !== 1) problems.push('nginx: an events block is needed');
  if (servers.length !== 1) return [...problems, 'nginx: exactly one server block is expected'];
  const server = servers[0]!;
  const listens = effective([http, server], 'listen').map(([l]) => l!.split(':').at(-1)!);
  const lbPorts = (lb.ports ?? []).map((p) => p.split(':'));
  if (lbPorts.length !== 1 || !listens.includes(lbPorts[0]!.at(-1)!))
    problems.push(`${LB}: must publish the one port nginx listens on (${listens})`);
  if (lbPorts[0]?.length !== 3) problems.push(`${LB}: the published port must name a host interface`);
  if (!listens.some((port) => [lb.healthcheck?.test ?? []].flat().join(' ').includes(`:${port}/health`))) {
    problems.push(`${LB}: healthcheck must probe /health through the port nginx listens on`);
  }
  if (!/:\d+\/ready/.test([api.healthcheck?.test ?? []].flat().join(' '))) problems.push('api: healthcheck must probe /ready');

  const resolvers = effective([http, server], 'resolver');
  if (!resolvers.some((r) => r.includes('127.0.0.11'))) problems.push("nginx: resolver must be Docker's embedded DNS, 127.0.0.11");
  if (!resolvers.some((r) => r.includes('ipv6=off'))) problems.push('nginx: resolver must not ask for AAAA records (ipv6=off)');
  const variables = new Map(effective([http, server], 'set').map(([name, value]) => [name!, value!]));
  const locations = blocks(server, 'location').filter((l) => !l.args[0]?.startsWith('@'));
  const graphql = locations
    .filter((l) => '/graphql'.startsWith(l.args.at(-1)!) && l.args.length === 1)
    .sort((a, b) => b.args[0]!.length - a.args[0]!.length)[0];
  if (!locations.some((l) => l.args.join(' ') === '/')) problems.push('nginx: a location / is needed (the PWA and the other endpoints)');

  // Photos and files: the api's S3 store, which browsers reach through here (presigned part PUTs
  // at S3_PUBLIC_ENDPOINT, path style: /<bucket>/attachments/<uuid>/original?partNumber=…).
  const store = apiConfig.attachmentStore;
  if (store.kind !== 's3') problems.push('api: ATTACHMENT_STORE must be s3 (replicas share no disk)');
  const storeAt = store.kind === 's3' ? storeTarget(store.endpoint) : undefined;
  const partsPath = store.kind === 's3' ? `/${store.bucket}/attachments/` : undefined;
  if (store.kind === 's3') {
    const publicUrl = new URL(store.publicEndpoint ?? 'http://missing/?');
    if (!store.publicEndpoint || publicUrl.pathname !== '/' || publicUrl.search !== '')
      problems.push(
        `api: S3_PUBLIC_ENDPOINT must be the origin browsers open (path style URLs start with /<bucket>/), not ${store.publicEndpoint}`,
      );
    if (!store.forcePathStyle) problems.push('api: S3_FORCE_PATH_STYLE must be true (the bucket is a path on the public origin)');
    if (new URL(storeAt!).hostname !== STORE) problems.push(`api: S3_ENDPOINT must name the ${STORE} service, not ${store.endpoint}`);
  }
  const toStore = (l: Directive) => {
    const pass = effective([http, server, l.block!], 'proxy_pass')[0]?.join(' ') ?? '';
    return (pass.startsWith('$') ? variables.get(pass) : pass) === storeAt;
  };
  const storeLocations = locations.filter(toStore);
  if (partsPath && !storeLocations.some((l) => l.args.join(' ') === `^~ ${partsPath}`))
    problems.push(`nginx: a location ^~ ${partsPath} must pass upload parts on to ${storeAt}`);
  for (const location of storeLocations) {
    const at = `nginx location ${location.args.join(' ')}`;
    const chain = [http, server, location.block!];
    const one = (name: string) => effective(chain, name)[0]?.join(' ');
    if (partsPath && location.args.join(' ') !== `^~ ${partsPath}`) problems.push(`${at}: only ^~ ${partsPath} may reach the store`);
    if (!one('proxy_pass')?.startsWith('$')) problems.push(`${at}: proxy_pass must go through a variable`);
    const limit = blocks(location.block, 'limit_except');
    const methods = limit.flatMap((l) => l.args);
    if (limit.length !== 1 || !methods.includes('PUT') || methods.some((m) => !['PUT', 'OPTIONS'].includes(m)))
      problems.push(`${at}: limit_except must allow PUT (and OPTIONS) alone, not ${methods.join(' ') || 'every method'}`);
    else if (!limit[0]!.block!.some((d) => d.name === 'deny' && d.args.join(' ') === 'all'))
      problems.push(`${at}: limit_except must deny all other methods`);
    const bodyMax = one('client_max_body_size');
    if (bodyMax === undefined || nginxBytes(bodyMax) < limits.attachments.partBytes)
      problems.push(`${at}: client_max_body_size must take a whole part (${limits.attachments.partBytes} bytes), not ${bodyMax}`);
    if (one('proxy_request_buffering') !== 'off') problems.push(`${at}: proxy_request_buffering must be off (parts stream on)`);
    if (one('proxy_http_version') !== '1.1') problems.push(`${at}: proxy_http_version must be 1.1`);
    const host = new Map(effective(chain, 'proxy_set_header').map(([name, value]) => [name!.toLowerCase(), value ?? ''])).get('host');
    if (host !== '$http_host')
      problems.push(`${at}: Host must be passed on as the browser sent it ($http_host: the URL is signed over it)`);
  }

  for (const location of locations.filter((l) => !storeLocations.includes(l))) {
    const at = `nginx location ${location.args.join(' ')}`;
    const chain = [http, server, location.block!];
    const one = (name: string) => effective(chain, name)[0]?.join(' ');
    const pass = one('proxy_pass') ?? '';
    const target = pass.startsWith('$') ? variables.get(pass) : pass;
    if (!pass.startsWith('$')) problems.push(`${at}: proxy_pass must go through a variable, so that the resolver is asked at request time`);
    if (target !== `http://api:${apiConfig.port}`)
      problems.push(`${at}: must proxy to http://api:${apiConfig.port} (the api service), not ${target}`);
    if (one('proxy_http_version') !== '1.1') problems.push(`${at}: proxy_http_version must be 1.1`);
    const headers = new Map(effective(chain, 'proxy_set_header').map(([name, value]) => [name!.toLowerCase(), value ?? '']));
    const expected: Record<string, string> = {
      connection: '',
      host: '$http_host',
      'x-forwarded-for': '$remote_addr',
      'x-forwarded-host': '$http_host',
    };
    for (const [name, value] of Object.entries(expected)) {
      if (headers.get(name) !== value) problems.push(`${at}: proxy_set_header ${name} must be "${value}", not "${headers.get(name)}"`);
    }
    if (!['$scheme', '$forwarded_proto'].includes(headers.get('x-forwarded-proto') ?? ''))
      problems.push(`${at}: X-Forwarded-Proto must be set`);
    if (location === graphql) {
      if (one('proxy_buffering') !== 'off') problems.push(`${at}: proxy_buffering must be off for SSE`);
      if (nginxSeconds(one('proxy_read_timeout') ?? '60s') < 3600) problems.push(`${at}: proxy_read_timeout must be at least 1h for SSE`);
    }
  }
  if (!graphql) problems.push('nginx: no location serves /graphql');
  const forwardedProto = blocks(http, 'map').find((m) => m.args[1] === '$forwarded_proto');
  if (forwardedProto && forwardedProto.args[0] !== '$http_x_forwarded_proto')
    problems.push('nginx: $forwarded_proto must map X-Forwarded-Proto');
  const bodyLimit = effective([http, server], 'client_max_body_size')[0]?.[0];
  if (bodyLimit === undefined || nginxBytes(bodyLimit) !== apiConfig.maxBodyBytes) {
    problems.push(`nginx: client_max_body_size must be the api's MAX_BODY_BYTES (${apiConfig.maxBodyBytes} bytes), not ${bodyLimit}`);
  }
  return problems;
}

const compose = parse(composeText, { merge: true }) as Compose;
const instructions = parseDockerfile(read('Dockerfile'));
const finalStage = instructions.slice(instructions.findLastIndex((i) => i.keyword === 'FROM'));
const imageEnv = Object.fromEntries(
  finalStage.filter((i) => i.keyword === 'ENV').flatMap((i) => i.args.split(/\s+/).map((pair) => pair.split('=', 2) as [string, string])),
);
const healthTest = (service: Service | undefined) => [service?.healthcheck?.test ?? []].flat().join(' ');

/** A TCP port free on 127.0.0.1 right now. */
const freePort = () =>
  new Promise<number>((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      server.close(() => resolve(port));
    });
  });

describe('docker-compose.yml', () => {
  const resolved = interpolate(compose, required);
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
    ['a replica count that is not a number', (d: Compose) => Object.assign(d.services.api!.deploy!, { replicas: [2] })],
  ])('lets the validator reject %s', (_, mutate) => {
    const broken = structuredClone(compose);
    mutate(broken);
    expect(lintDocument(broken).join('\n')).toMatch(/^invalid-schema:/);
  });

  it('refuses to start without TOKEN_SECRET, which has no default', () => {
    expect(() => interpolate(compose, {})).toThrow(/TOKEN_SECRET/);
    expect(compose.services.api?.environment?.TOKEN_SECRET).toMatch(/^\$\{TOKEN_SECRET:\?[^}]*\}$/);
  });

  it('refuses to start without the VAPID key pair, which every replica must share (a generated pair would differ per replica)', () => {
    expect(() => interpolate(compose, { TOKEN_SECRET: secret })).toThrow(/VAPID_PUBLIC_KEY/);
    expect(() => interpolate(compose, { TOKEN_SECRET: secret, VAPID_PUBLIC_KEY: vapid.publicKey })).toThrow(/VAPID_PRIVATE_KEY/);
    const config = loadConfig({ ...imageEnv, ...interpolate(compose, required).services.api?.environment });
    expect([config.vapidPublicKey, config.vapidPrivateKey]).toEqual([vapid.publicKey, vapid.privateKey]);
  });

  it("refuses to start without MINIO_ROOT_PASSWORD, MinIO's secret, which the api and the bucket's init share with minio", () => {
    const { MINIO_ROOT_PASSWORD: _, ...withoutMinio } = required;
    expect(() => interpolate(compose, withoutMinio)).toThrow(/MINIO_ROOT_PASSWORD/);
    for (const name of [STORE, STORE_INIT]) {
      expect(compose.services[name]?.environment?.MINIO_ROOT_PASSWORD, name).toMatch(/^\$\{MINIO_ROOT_PASSWORD:\?[^}]*\}$/);
    }
    expect(compose.services.api?.environment?.S3_SECRET_ACCESS_KEY).toMatch(/^\$\{MINIO_ROOT_PASSWORD:\?[^}]*\}$/);
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
    const env = { ...required, POSTGRES_USER: 'alice', POSTGRES_PASSWORD: 'pw-123', POSTGRES_DB: 'boats' };
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

  it('checks the api through /ready on the port it listens on, and publishes no port of its own', () => {
    const { port } = apiConfig();
    expect(healthTest(api)).toContain(`:${port}/ready`);
    expect(api.ports ?? []).toEqual([]);
  });

  it('keeps postgres data in a declared named volume, and nothing of the stateless api replicas', () => {
    const mounts = (s: Service) => (s.volumes ?? []).map((v) => v.split(':') as [string, string]);
    for (const [name, service] of Object.entries(resolved.services)) {
      for (const [source] of mounts(service).filter(([s]) => !/^[./~]/.test(s))) {
        expect(Object.keys(resolved.volumes ?? {}), `${name} mounts ${source}`).toContain(source);
      }
    }
    expect(mounts(postgres).map(([, target]) => target)).toContain('/var/lib/postgresql/data');
    // Two replicas opening one PGlite DATA_DIR would corrupt it; with DATABASE_URL nothing is kept there.
    expect(api.volumes ?? []).toEqual([]);
    expect(apiConfig().databaseUrl).toBeDefined();
  });

  it("keeps photos and files in minio, with MinIO's own credentials, in a bucket the init makes before the api starts", () => {
    const env = { ...required, MINIO_ROOT_USER: 'boats', MINIO_ROOT_PASSWORD: 'another-secret-123' };
    const custom = interpolate(compose, env);
    const store = loadConfig({ ...imageEnv, ...custom.services.api?.environment }).attachmentStore;
    if (store.kind !== 's3') throw new Error('the api must keep attachments in S3');
    const minio = custom.services[STORE]!;
    const init = custom.services[STORE_INIT]!;
    expect([store.accessKeyId, store.secretAccessKey]).toEqual([
      minio.environment?.MINIO_ROOT_USER,
      minio.environment?.MINIO_ROOT_PASSWORD,
    ]);
    expect([store.accessKeyId, store.secretAccessKey]).toEqual(['boats', 'another-secret-123']);
    expect(storeTarget(store.endpoint)).toBe(`http://${STORE}:9000`);
    expect(minio.command).toEqual(['server', '/data']);
    expect(minio.volumes).toContain('minio-data:/data');
    expect(healthTest(minio)).toContain('/minio/health/live');
    // The same pinned image (a MinIO release: `mc` for the init) unless MINIO_IMAGE says otherwise.
    expect(minio.image).toMatch(/\/minio:RELEASE\.\d{4}-\d\d-\d\dT\d\d-\d\d-\d\dZ$/);
    expect(init.image).toBe(minio.image);
    expect(interpolate(compose, { ...required, MINIO_IMAGE: 'registry.example/minio:RELEASE.x' }).services[STORE]?.image).toBe(
      'registry.example/minio:RELEASE.x',
    );
    // The init: once minio is healthy, `mc mb` the api's bucket with the same credentials; the api waits for it.
    expect(init.depends_on?.[STORE]?.condition).toBe('service_healthy');
    expect(init.environment).toMatchObject({ ...minio.environment, BUCKET: store.bucket });
    const script = [init.entrypoint ?? [], init.command ?? []].flat().join(' ');
    expect(script).toContain('mc alias set store http://minio:9000 "$MINIO_ROOT_USER" "$MINIO_ROOT_PASSWORD"');
    expect(script).toContain('mc mb --ignore-existing "store/$BUCKET"');
    expect(script).toMatch(/^\/bin\/sh -c set -e\n/);
    expect(init.restart).toBe('on-failure');
    expect(custom.services.api?.depends_on?.[STORE_INIT]?.condition).toBe('service_completed_successfully');
  });

  it('signs upload URLs for the address browsers open: the published lb, http://127.0.0.1:4000 unless MAILBOAT_PUBLIC_URL says', () => {
    const publicEndpoint = (env: Record<string, string>) => {
      const store = loadConfig({ ...imageEnv, ...interpolate(compose, { ...required, ...env }).services.api?.environment }).attachmentStore;
      return store.kind === 's3' ? store.publicEndpoint : undefined;
    };
    const [bind, port] = (resolved.services[LB]?.ports?.[0] ?? '').split(':');
    expect(publicEndpoint({})).toBe(`http://${bind}:${port}`);
    expect(publicEndpoint({ MAILBOAT_PUBLIC_URL: 'https://chat.example.com' })).toBe('https://chat.example.com');
  });

  it('restarts every service after a crash', () => {
    for (const service of Object.values(resolved.services)) expect(['always', 'unless-stopped', 'on-failure']).toContain(service.restart);
  });

  const composeCli = spawnSync('docker', ['compose', 'version'], { encoding: 'utf8' }).status === 0;
  it.skipIf(!composeCli)('is accepted by `docker compose config`', () => {
    const r = spawnSync('docker', ['compose', '-f', composeFile, 'config', '--quiet'], {
      encoding: 'utf8',
      env: { ...process.env, ...required },
    });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
  });
});

describe(`two api replicas behind the ${LB} service's nginx (${NGINX_CONF})`, () => {
  const nginxText = read(NGINX_CONF);
  const resolved = interpolate(compose, required);

  it('is what docker-compose.yml and the nginx config describe', () => {
    expect(existsSync(join(root, NGINX_CONF))).toBe(true);
    expect(deploymentProblems(resolved, nginxText)).toEqual([]);
  });

  it('publishes the load balancer on MAILBOAT_BIND:MAILBOAT_PORT, 127.0.0.1:4000 unless told otherwise', () => {
    const host = (env: Record<string, string>) => interpolate(compose, { ...required, ...env }).services[LB]!.ports!;
    expect(host({}).map((p) => p.split(':').slice(0, 2).join(':'))).toEqual(['127.0.0.1:4000']);
    expect(host({ MAILBOAT_BIND: '0.0.0.0', MAILBOAT_PORT: '8080' }).map((p) => p.split(':').slice(0, 2).join(':'))).toEqual([
      '0.0.0.0:8080',
    ]);
  });

  /** `text` with `from` replaced; throws when `from` is not there, so that no mutation is a no-op. */
  const swap = (text: string, from: string, to: string) => {
    if (!text.includes(from)) throw new Error(`"${from}" is not in the text`);
    return text.replace(from, to);
  };
  const composeWith = (mutate: (d: Compose) => void) => {
    const doc = structuredClone(resolved);
    mutate(doc);
    return doc;
  };

  it.each<[string, (d: Compose) => void, RegExp]>([
    ['a single replica', (d) => Object.assign(d.services.api!.deploy!, { replicas: 1 }), /replicas must be 2/],
    ['a container_name on the api', (d) => Object.assign(d.services.api!, { container_name: 'mailboat-api' }), /container_name/],
    ['a volume on the api', (d) => Object.assign(d.services.api!, { volumes: ['api-data:/data'] }), /no state/],
    ['TRUST_PROXY off', (d) => Object.assign(d.services.api!.environment!, { TRUST_PROXY: 'false' }), /TRUST_PROXY/],
    ['a published api port', (d) => Object.assign(d.services.api!, { ports: ['127.0.0.1:4001:4000'] }), /only lb may publish/],
    ['an unpinned nginx image', (d) => Object.assign(d.services[LB]!, { image: 'nginx:latest' }), /pinned/],
    [
      'a writable nginx.conf mount',
      (d) => Object.assign(d.services[LB]!, { volumes: [`./${NGINX_CONF}:/etc/nginx/nginx.conf`] }),
      /read-only/,
    ],
    [
      'an lb that does not wait for a healthy api',
      (d) => Object.assign(d.services[LB]!.depends_on!.api!, { condition: 'service_started' }),
      /healthy api/,
    ],
    ['an lb without restart', (d) => delete d.services[LB]!.restart, /restart/],
    ["attachments on the api replicas' own disks", (d) => Object.assign(d.services.api!.environment!, { ATTACHMENT_STORE: 'fs' }), /s3/],
    [
      'a bucket other than the one nginx passes on',
      (d) => Object.assign(d.services.api!.environment!, { S3_BUCKET: 'elsewhere' }),
      /location \^~ \/elsewhere\/attachments\//,
    ],
    [
      'upload URLs signed for a path',
      (d) => Object.assign(d.services.api!.environment!, { S3_PUBLIC_ENDPOINT: 'http://127.0.0.1:4000/files' }),
      /S3_PUBLIC_ENDPOINT/,
    ],
    [
      'virtual-host style upload URLs',
      (d) => Object.assign(d.services.api!.environment!, { S3_FORCE_PATH_STYLE: 'false' }),
      /S3_FORCE_PATH_STYLE/,
    ],
    ['a published minio port', (d) => Object.assign(d.services[STORE]!, { ports: ['127.0.0.1:9000:9000'] }), /only lb may publish/],
    ['a published port nginx does not listen on', (d) => Object.assign(d.services[LB]!, { ports: ['127.0.0.1:4000:8080'] }), /listens on/],
    ['a port on every interface by default', (d) => Object.assign(d.services[LB]!, { ports: ['4000:80'] }), /host interface/],
    [
      'an lb healthcheck on another port',
      (d) => Object.assign(d.services[LB]!.healthcheck!, { test: ['CMD', 'wget', 'http://127.0.0.1:81/health'] }),
      /healthcheck/,
    ],
    [
      'an api healthcheck on /health',
      (d) => Object.assign(d.services.api!.healthcheck!, { test: ['CMD', 'curl', 'http://127.0.0.1:4000/health'] }),
      /\/ready/,
    ],
  ])('notices %s', (_, mutate, problem) => {
    expect(deploymentProblems(composeWith(mutate), nginxText).join('\n')).toMatch(problem);
  });

  it.each<[string, string, string, RegExp]>([
    ['SSE responses buffered', 'proxy_buffering off;', '', /proxy_buffering must be off/],
    ["subscriptions cut after nginx's default 60s", 'proxy_read_timeout 1h;', 'proxy_read_timeout 60s;', /proxy_read_timeout/],
    ['HTTP/1.0 to the api', 'proxy_http_version 1.1;', '', /proxy_http_version/],
    ["the client's Connection header passed on", 'proxy_set_header Connection "";', '', /connection/],
    ['a client-chosen X-Forwarded-For', 'X-Forwarded-For $remote_addr', 'X-Forwarded-For $proxy_add_x_forwarded_for', /x-forwarded-for/],
    ['X-Forwarded-Host without the port', 'X-Forwarded-Host $http_host', 'X-Forwarded-Host $host', /x-forwarded-host/],
    ['no X-Forwarded-Proto', 'proxy_set_header X-Forwarded-Proto $forwarded_proto;', '', /X-Forwarded-Proto/],
    [
      'a location that drops the inherited headers by setting one of its own',
      'proxy_pass $api;\n    }',
      'proxy_pass $api;\n      proxy_set_header X-Request-Id $request_id;\n    }',
      /x-forwarded-for/,
    ],
    ['a body limit other than MAX_BODY_BYTES', 'client_max_body_size 4m;', 'client_max_body_size 1m;', /client_max_body_size/],
    ['no Docker DNS resolver', 'resolver 127.0.0.11 valid=10s ipv6=off;', '', /127\.0\.0\.11/],
    ['AAAA lookups', 'ipv6=off', '', /ipv6=off/],
    ['another port than the api listens on', 'http://api:4000', 'http://api:3000', /must proxy to http:\/\/api:4000/],
    ['a proxy_pass resolved only at start-up', 'proxy_pass $api;', 'proxy_pass http://api:4000;', /through a variable/],
    ['no catch-all location', 'location / {', 'location /sync/ {', /location \/ is needed/],
    [
      'upload parts not passed on to the store',
      'location ^~ /mailboat-attachments/attachments/ {',
      'location ^~ /other-bucket/attachments/ {',
      /location \^~ \/mailboat-attachments\/attachments\/ must pass/,
    ],
    ['the store at another port', 'set $minio http://minio:9000;', 'set $minio http://minio:9001;', /must pass upload parts on/],
    ['every method passed on to the store', 'limit_except PUT OPTIONS {', 'limit_except PUT GET {', /limit_except/],
    ['no method limit on the store', 'limit_except PUT OPTIONS {\n        deny all;\n      }', '', /limit_except/],
    ['parts buffered before they reach the store', 'proxy_request_buffering off;', '', /proxy_request_buffering/],
    ['a body limit below one part', 'client_max_body_size 8m;', 'client_max_body_size 4m;', /whole part/],
    ['an unbalanced brace', 'server_tokens off;', 'server_tokens off; }', /unexpected \}/],
  ])('notices %s in nginx.conf', (_, from, to, problem) => {
    expect(deploymentProblems(resolved, swap(nginxText, from, to)).join('\n')).toMatch(problem);
  });

  // Debian's `nginx-light` (or `nginx`) package provides it; without it the structure above is what is checked.
  const nginxBin = spawnSync('nginx', ['-v'], { encoding: 'utf8' }).status === 0;
  const nginxTest = (text: string) => {
    const dir = mkdtempSync(join(tmpdir(), 'mailboat-nginx-'));
    try {
      writeFileSync(join(dir, 'nginx.conf'), text);
      // No name is resolved here: `api` is looked up only at request time, so this works offline.
      // stdout is /dev/null rather than a pipe: nginx opens /dev/stdout (access_log), which fails on a socket.
      return spawnSync('nginx', ['-t', '-q', '-p', dir, '-e', 'stderr', '-c', join(dir, 'nginx.conf')], {
        encoding: 'utf8',
        stdio: ['ignore', 'ignore', 'pipe'],
      });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  };
  it.skipIf(!nginxBin)('is accepted by `nginx -t`, which rejects a broken config', () => {
    const ok = nginxTest(nginxText);
    expect(ok.stderr).toBe('');
    expect(ok.status).toBe(0);
    const broken = nginxTest(swap(nginxText, 'proxy_buffering off;', 'proxy_buffering of;'));
    expect(broken.status).not.toBe(0);
    expect(broken.stderr).toMatch(/proxy_buffering/);
  });

  it.skipIf(!nginxBin)(
    "carries a presigned part PUT to a real S3 server (s3rver) with its signature intact, a whole part's size, and nothing else",
    async () => {
      const store = loadConfig({ ...imageEnv, ...resolved.services.api?.environment }).attachmentStore;
      if (store.kind !== 's3') throw new Error('the api must keep attachments in S3');
      const s3 = await startS3Server({ bucket: store.bucket });
      const dir = mkdtempSync(join(tmpdir(), 'mailboat-nginx-'));
      const port = await freePort();
      // This config, listening on a free loopback port, with the store's and the api's names swapped for
      // addresses on this machine (nothing is resolved: the upstreams are IP literals).
      const conf = swap(
        swap(swap(nginxText, 'listen 80;', `listen 127.0.0.1:${port};`), 'set $minio http://minio:9000;', `set $minio ${s3.endpoint};`),
        'set $api http://api:4000;',
        'set $api http://127.0.0.1:9;',
      );
      writeFileSync(join(dir, 'nginx.conf'), conf);
      const nginx = spawn(
        'nginx',
        ['-p', dir, '-e', 'stderr', '-c', join(dir, 'nginx.conf'), '-g', `daemon off; pid ${join(dir, 'nginx.pid')};`],
        {
          stdio: ['ignore', 'ignore', 'pipe'],
        },
      );
      let log = '';
      nginx.stderr.on('data', (chunk) => {
        log += String(chunk);
      });
      try {
        const origin = `http://127.0.0.1:${port}`;
        await expect
          .poll(
            () =>
              fetch(`${origin}/`).then(
                () => true,
                () => false,
              ),
            { timeout: 10_000 },
          )
          .toBe(true);
        // The API's S3 store as compose configures it, but reaching s3rver and signing for this nginx.
        const s3Store = new S3Store({
          ...store,
          endpoint: s3.endpoint,
          publicEndpoint: origin,
          accessKeyId: s3.accessKeyId,
          secretAccessKey: s3.secretAccessKey,
        });
        const key = 'attachments/0193a000-0000-7000-8000-000000000001/original';
        const uploadId = await s3Store.startUpload(key);
        const put = async (bytes: number, size = bytes) => {
          const { url, headers } = await s3Store.partTarget(key, uploadId, 1, bytes, 60);
          expect(url.startsWith(`${origin}/${store.bucket}/attachments/`), url).toBe(true);
          return fetch(url, { method: 'PUT', body: new Uint8Array(size), headers });
        };
        expect((await put(limits.attachments.partBytes)).status, log).toBe(200);
        expect(await s3Store.uploadedParts(key, uploadId)).toEqual(new Map([[1, limits.attachments.partBytes]]));
        expect((await put(1000, 999)).status, 'a body of another size than signed').toBe(403);
        expect((await put(limits.attachments.partBytes + 1)).status, 'more than a part').toBe(413);
        const { url } = await s3Store.partTarget(key, uploadId, 1, 10, 60);
        expect((await fetch(url)).status, 'GET is not passed on').toBe(403);
      } finally {
        nginx.kill('SIGTERM');
        await new Promise((resolve) => nginx.once('exit', resolve));
        await s3.close();
        rmSync(dir, { recursive: true, force: true });
      }
    },
    30_000,
  );
});

describe('Dockerfile', () => {
  const args = (keyword: string, stage = instructions) => stage.filter((i) => i.keyword === keyword).map((i) => i.args);

  it('builds every stage on node:20-slim (directly or from an earlier stage)', () => {
    const froms = args('FROM');
    expect(froms.length).toBeGreaterThan(0);
    const stages: string[] = [];
    for (const from of froms) {
      const [image, , alias] = from.split(/\s+/);
      if (!stages.includes(image ?? '')) expect(from).toMatch(/^node:20(\.\d+)*-slim(@\S+)?(\s|$)/);
      if (alias) stages.push(alias);
    }
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

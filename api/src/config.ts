import { createECDH, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';

/** Mailboat's configuration: parsed once at boot, frozen, and loud about bad values. */
export type Config = Readonly<{
  env: 'development' | 'production' | 'test';
  host: string;
  port: number;
  /** Folder of the embedded database and of generated secrets. */
  dataDir: string;
  /** When set, a real Postgres is used instead of the embedded PGlite. */
  databaseUrl: string | undefined;
  /** HMAC key for access tokens (HS256), at least 32 bytes. */
  tokenSecret: Uint8Array;
  accessTokenTtlSeconds: number;
  refreshIdleTtlSeconds: number;
  refreshAbsoluteTtlSeconds: number;
  /** How long a rotated refresh token may be retried while its successor is unused (a lost answer). */
  refreshReuseGraceSeconds: number;
  pairingCodeTtlSeconds: number;
  /** scrypt cost as log2(N); 17 is OWASP's minimum recommendation. */
  passwordHashCost: number;
  maxBodyBytes: number;
  writesPerMinute: number;
  authAttemptsPerMinute: number;
  /** Refused requests (bad input, bad tokens, over a query limit) one address may send per minute before being refused unread. */
  refusedRequestsPerMinute: number;
  maxQueryDepth: number;
  maxAliases: number;
  maxQueryCost: number;
  graphiql: boolean;
  /** Answer `__schema` / `__type` queries (off by default in production). */
  introspection: boolean;
  /** Segment documents kept live in memory. */
  cachedSegments: number;
  /** The heap those documents may take, estimated (see sync/segments/segment-cache.ts). */
  segmentCacheBytes: number;
  /** The built PWA, served on the API's port. */
  webDist: string;
  /** A segment with more updates than this beyond its snapshot is compacted after a push. */
  compactAfterUpdates: number;
  /** Trust X-Forwarded-For / X-Forwarded-Proto from a reverse proxy. */
  trustProxy: boolean;
  /** How long a device still shows online after its last events stream closed (a reload or reconnect shows no change). */
  presenceGraceSeconds: number;
  /** Origins of other apps allowed to call the API from a browser (CORS, with credentials). */
  corsOrigins: readonly string[];
  /** Strict-Transport-Security max-age in seconds; 0 sends none (set it when served over HTTPS). */
  hstsMaxAgeSeconds: number;
  /** The VAPID key pair (RFC 8292) that signs Web Push requests: base64url, raw P-256 (public: the 65-byte uncompressed point; private: 32 bytes). Every node must share it. */
  vapidPublicKey: string;
  vapidPrivateKey: string;
  /** The contact push services see in the VAPID JWT (`sub`): a mailto: or https: URI. */
  vapidSubject: string;
  /** Where attachment bytes live: the filesystem under DATA_DIR/attachments, or an S3-compatible store. */
  attachmentStore:
    | { kind: 'fs'; dir: string }
    | {
        kind: 's3';
        endpoint: string | undefined;
        /** Where browsers reach the store, when not at `endpoint` (presigned part URLs are made for it). */
        publicEndpoint: string | undefined;
        region: string;
        bucket: string;
        accessKeyId: string;
        secretAccessKey: string;
        forcePathStyle: boolean;
      };
  /** The largest file, and the most bytes one message's files may total. */
  attachmentMaxBytes: number;
  attachmentMessageMaxBytes: number;
  /** Content types (sniffed from the bytes) accepted: exact types or `type/*`; empty: every type. */
  attachmentAllowedTypes: readonly string[];
  /** Re-encode images, dropping EXIF (location, camera) and other metadata. */
  attachmentStripMetadata: boolean;
  /** The most bytes of one user's uploads no message names yet (started or completed): more waits (RATE_LIMITED) until some are sent. */
  attachmentUnsentMaxBytes: number;
  /** Uploads no message names after this long are removed. */
  attachmentOrphanHours: number;
  /** Send pushes to http:// and private/loopback addresses too (tests only: off guards against SSRF). */
  pushAllowLocalEndpoints: boolean;
  /** The least time between two notifications to one device for one conversation (later messages collapse into the next). */
  notificationIntervalSeconds: number;
  /** How long a push service keeps an undelivered notification (the TTL header). */
  notificationTtlSeconds: number;
  /** Sends tried per notification (429, 5xx, network errors back off in between) before it is dropped. */
  notificationMaxAttempts: number;
}>;

const int = (min: number, max: number) => z.coerce.number().int().min(min).max(max);
const bool = z.enum(['true', 'false', '1', '0']).transform((v) => v === 'true' || v === '1');

/** Parses CORS_ORIGINS: comma-separated origins, each exactly scheme://host[:port]; throws naming a bad one. */
export function parseOrigins(value: string): string[] {
  const out: string[] = [];
  for (const raw of value.split(',')) {
    const candidate = raw.trim();
    if (candidate === '') continue;
    let origin: string | undefined;
    try {
      origin = new URL(candidate).origin;
    } catch {
      origin = undefined;
    }
    if (origin === undefined || origin === 'null' || origin !== candidate.replace(/\/$/, '').toLowerCase()) {
      throw new Error(`"${candidate}" is not an origin (scheme://host[:port], nothing after it)`);
    }
    out.push(origin);
  }
  return out;
}

const envSchema = z.object({
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
  HOST: z.string().min(1).default('127.0.0.1'),
  PORT: int(0, 65535).default(4000),
  DATA_DIR: z.string().min(1).default('./data'),
  DATABASE_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\//, 'must start with postgres:// or postgresql://')
    .optional(),
  TOKEN_SECRET: z.string().min(32, 'must be at least 32 characters').optional(),
  ACCESS_TOKEN_TTL_SECONDS: int(10, 900).default(900),
  REFRESH_IDLE_TTL_SECONDS: int(60, 365 * 86400).default(30 * 86400),
  REFRESH_ABSOLUTE_TTL_SECONDS: int(60, 5 * 365 * 86400).default(180 * 86400),
  REFRESH_REUSE_GRACE_SECONDS: int(0, 3600).default(120),
  PAIRING_CODE_TTL_SECONDS: int(30, 3600).default(300),
  PASSWORD_HASH_COST: int(10, 20).default(17),
  MAX_BODY_BYTES: int(1024, 64 * 1024 * 1024).default(4 * 1024 * 1024),
  WRITES_PER_MINUTE: int(1, 1_000_000).default(600),
  AUTH_ATTEMPTS_PER_MINUTE: int(1, 1_000_000).default(20),
  REFUSED_REQUESTS_PER_MINUTE: int(1, 1_000_000).default(300),
  MAX_QUERY_DEPTH: int(2, 100).default(12),
  MAX_ALIASES: int(1, 1000).default(30),
  MAX_QUERY_COST: int(10, 10_000_000).default(30_000),
  GRAPHIQL: bool.optional(),
  INTROSPECTION: bool.optional(),
  CACHED_SEGMENTS: int(1, 1_000_000).default(2000),
  SEGMENT_CACHE_MB: int(1, 1_000_000).default(256),
  WEB_DIST: z.string().min(1).optional(),
  COMPACT_AFTER_UPDATES: int(1, 10_000_000).default(1000),
  TRUST_PROXY: bool.default(false),
  PRESENCE_GRACE_SECONDS: int(0, 300).default(5),
  CORS_ORIGINS: z
    .string()
    .default('')
    .transform((value, ctx) => {
      try {
        return parseOrigins(value);
      } catch (e) {
        ctx.addIssue({ code: 'custom', message: (e as Error).message });
        return z.NEVER;
      }
    }),
  HSTS_MAX_AGE_SECONDS: int(0, 2 * 365 * 86400).default(0),
  VAPID_PUBLIC_KEY: z
    .string()
    .regex(/^[A-Za-z0-9_-]{87}$/, 'must be a base64url uncompressed P-256 point (87 characters)')
    .optional(),
  VAPID_PRIVATE_KEY: z
    .string()
    .regex(/^[A-Za-z0-9_-]{43}$/, 'must be a base64url P-256 private key (43 characters)')
    .optional(),
  VAPID_SUBJECT: z
    .string()
    .regex(/^(mailto:\S+@\S+|https:\/\/\S+)$/, 'must be a mailto: or https: URI')
    .default('mailto:admin@localhost'),
  PUSH_ALLOW_LOCAL_ENDPOINTS: bool.default(false),
  NOTIFICATION_INTERVAL_SECONDS: int(0, 3600).default(15),
  NOTIFICATION_TTL_SECONDS: int(0, 28 * 86400).default(86400),
  NOTIFICATION_MAX_ATTEMPTS: int(1, 100).default(8),
  ATTACHMENT_STORE: z.enum(['fs', 's3']).default('fs'),
  S3_ENDPOINT: z.string().url().optional(),
  S3_PUBLIC_ENDPOINT: z.string().url().optional(),
  S3_REGION: z.string().min(1).default('us-east-1'),
  S3_BUCKET: z.string().min(3).optional(),
  S3_ACCESS_KEY_ID: z.string().min(1).optional(),
  S3_SECRET_ACCESS_KEY: z.string().min(1).optional(),
  S3_FORCE_PATH_STYLE: bool.default(true),
  ATTACHMENT_MAX_MB: int(1, 2047).default(100),
  ATTACHMENT_MESSAGE_MAX_MB: int(1, 2047).default(200),
  ATTACHMENT_UNSENT_MAX_MB: int(1, 1_000_000).default(1024),
  ATTACHMENT_ALLOWED_TYPES: z
    .string()
    .default('*')
    .refine(
      (v) => v.trim() === '*' || v.split(',').every((t) => /^[a-z0-9][a-z0-9!#$&^_.+-]*\/([a-z0-9][a-z0-9!#$&^_.+-]*|\*)$/.test(t.trim())),
      'must be * or a comma-separated list of content types (type/subtype or type/*)',
    ),
  ATTACHMENT_STRIP_METADATA: bool.default(true),
  ATTACHMENT_ORPHAN_HOURS: int(1, 24 * 365).default(24),
});

/** Every environment variable Mailboat reads, with its default where it has one (the README's configuration table lists them all). */
export function settingDefaults(): Record<string, unknown> {
  const defaults: Record<string, unknown> = envSchema.parse({});
  return Object.fromEntries(Object.keys(envSchema.shape).map((name) => [name, defaults[name]]));
}

export class ConfigError extends Error {
  override name = 'ConfigError';
}

/**
 * Parses `env` into a frozen Config. Throws ConfigError naming every bad variable.
 * When TOKEN_SECRET is not given, a secret is generated once and kept in DATA_DIR/secrets.json
 * (mode 0600), so tokens survive restarts.
 */
export function loadConfig(env: Record<string, string | undefined> = process.env): Config {
  const parsed = envSchema.safeParse(env);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`);
    throw new ConfigError(`Invalid configuration:\n${lines.join('\n')}`);
  }
  const e = parsed.data;
  if (e.REFRESH_ABSOLUTE_TTL_SECONDS < e.REFRESH_IDLE_TTL_SECONDS) {
    throw new ConfigError('Invalid configuration:\n  REFRESH_ABSOLUTE_TTL_SECONDS: must be >= REFRESH_IDLE_TTL_SECONDS');
  }
  const dataDir = resolve(e.DATA_DIR);
  if (e.ATTACHMENT_STORE === 's3') {
    const missing = (['S3_BUCKET', 'S3_ACCESS_KEY_ID', 'S3_SECRET_ACCESS_KEY'] as const).filter((name) => !e[name]);
    if (missing.length > 0) {
      throw new ConfigError(`Invalid configuration:\n${missing.map((name) => `  ${name}: required when ATTACHMENT_STORE=s3`).join('\n')}`);
    }
  }
  if (e.ATTACHMENT_UNSENT_MAX_MB < e.ATTACHMENT_MAX_MB) {
    throw new ConfigError('Invalid configuration:\n  ATTACHMENT_UNSENT_MAX_MB: must be >= ATTACHMENT_MAX_MB');
  }
  if (e.ATTACHMENT_MESSAGE_MAX_MB < e.ATTACHMENT_MAX_MB) {
    throw new ConfigError('Invalid configuration:\n  ATTACHMENT_MESSAGE_MAX_MB: must be >= ATTACHMENT_MAX_MB');
  }
  const vapid = vapidKeys(dataDir, e.VAPID_PUBLIC_KEY, e.VAPID_PRIVATE_KEY);
  return Object.freeze({
    env: e.NODE_ENV,
    host: e.HOST,
    port: e.PORT,
    dataDir,
    databaseUrl: e.DATABASE_URL,
    tokenSecret: new TextEncoder().encode(e.TOKEN_SECRET ?? storedSecret(dataDir, 'tokenSecret')),
    accessTokenTtlSeconds: e.ACCESS_TOKEN_TTL_SECONDS,
    refreshIdleTtlSeconds: e.REFRESH_IDLE_TTL_SECONDS,
    refreshAbsoluteTtlSeconds: e.REFRESH_ABSOLUTE_TTL_SECONDS,
    refreshReuseGraceSeconds: e.REFRESH_REUSE_GRACE_SECONDS,
    pairingCodeTtlSeconds: e.PAIRING_CODE_TTL_SECONDS,
    passwordHashCost: e.PASSWORD_HASH_COST,
    maxBodyBytes: e.MAX_BODY_BYTES,
    writesPerMinute: e.WRITES_PER_MINUTE,
    authAttemptsPerMinute: e.AUTH_ATTEMPTS_PER_MINUTE,
    refusedRequestsPerMinute: e.REFUSED_REQUESTS_PER_MINUTE,
    maxQueryDepth: e.MAX_QUERY_DEPTH,
    maxAliases: e.MAX_ALIASES,
    maxQueryCost: e.MAX_QUERY_COST,
    graphiql: e.GRAPHIQL ?? e.NODE_ENV !== 'production',
    introspection: e.INTROSPECTION ?? e.NODE_ENV !== 'production',
    cachedSegments: e.CACHED_SEGMENTS,
    segmentCacheBytes: e.SEGMENT_CACHE_MB * 2 ** 20,
    webDist: resolve(e.WEB_DIST ?? fileURLToPath(new URL('../../web/dist', import.meta.url))),
    compactAfterUpdates: e.COMPACT_AFTER_UPDATES,
    trustProxy: e.TRUST_PROXY,
    presenceGraceSeconds: e.PRESENCE_GRACE_SECONDS,
    corsOrigins: Object.freeze(e.CORS_ORIGINS),
    hstsMaxAgeSeconds: e.HSTS_MAX_AGE_SECONDS,
    vapidPublicKey: vapid.publicKey,
    vapidPrivateKey: vapid.privateKey,
    vapidSubject: e.VAPID_SUBJECT,
    pushAllowLocalEndpoints: e.PUSH_ALLOW_LOCAL_ENDPOINTS,
    attachmentStore:
      e.ATTACHMENT_STORE === 's3'
        ? {
            kind: 's3' as const,
            endpoint: e.S3_ENDPOINT,
            publicEndpoint: e.S3_PUBLIC_ENDPOINT,
            region: e.S3_REGION,
            bucket: e.S3_BUCKET as string,
            accessKeyId: e.S3_ACCESS_KEY_ID as string,
            secretAccessKey: e.S3_SECRET_ACCESS_KEY as string,
            forcePathStyle: e.S3_FORCE_PATH_STYLE,
          }
        : { kind: 'fs' as const, dir: join(dataDir, 'attachments') },
    attachmentMaxBytes: Math.min(e.ATTACHMENT_MAX_MB * 2 ** 20, 2 ** 31 - 1),
    attachmentMessageMaxBytes: Math.min(e.ATTACHMENT_MESSAGE_MAX_MB * 2 ** 20, 2 ** 31 - 1),
    attachmentAllowedTypes: Object.freeze(
      e.ATTACHMENT_ALLOWED_TYPES.trim() === '*' ? [] : e.ATTACHMENT_ALLOWED_TYPES.split(',').map((t) => t.trim()),
    ),
    attachmentStripMetadata: e.ATTACHMENT_STRIP_METADATA,
    attachmentUnsentMaxBytes: e.ATTACHMENT_UNSENT_MAX_MB * 2 ** 20,
    attachmentOrphanHours: e.ATTACHMENT_ORPHAN_HOURS,
    notificationIntervalSeconds: e.NOTIFICATION_INTERVAL_SECONDS,
    notificationTtlSeconds: e.NOTIFICATION_TTL_SECONDS,
    notificationMaxAttempts: e.NOTIFICATION_MAX_ATTEMPTS,
  });
}

/**
 * The VAPID key pair: the one configured (both variables or neither; the private key must be
 * the public key's), else one generated once and kept in DATA_DIR/secrets.json.
 */
function vapidKeys(
  dataDir: string,
  publicKey: string | undefined,
  privateKey: string | undefined,
): { publicKey: string; privateKey: string } {
  if ((publicKey === undefined) !== (privateKey === undefined)) {
    throw new ConfigError('Invalid configuration:\n  VAPID_PUBLIC_KEY, VAPID_PRIVATE_KEY: set both or neither');
  }
  if (publicKey !== undefined && privateKey !== undefined) {
    const ecdh = createECDH('prime256v1');
    let derived: string | undefined;
    try {
      ecdh.setPrivateKey(Buffer.from(privateKey, 'base64url'));
      derived = ecdh.getPublicKey().toString('base64url');
    } catch {
      derived = undefined;
    }
    if (derived !== publicKey)
      throw new ConfigError('Invalid configuration:\n  VAPID_PRIVATE_KEY: is not the private key of VAPID_PUBLIC_KEY');
    return { publicKey, privateKey };
  }
  const [storedPublic, storedPrivate] = storedSecret(dataDir, 'vapidKeys', () => {
    const ecdh = createECDH('prime256v1');
    ecdh.generateKeys();
    const priv = ecdh.getPrivateKey();
    const padded = Buffer.concat([Buffer.alloc(32 - priv.length), priv]); // keep leading zero bytes
    return `${ecdh.getPublicKey().toString('base64url')}.${padded.toString('base64url')}`;
  }).split('.');
  return { publicKey: storedPublic as string, privateKey: storedPrivate as string };
}

function storedSecret(dataDir: string, name: string, make = () => randomBytes(32).toString('base64url')): string {
  const file = join(dataDir, 'secrets.json');
  const secrets: Record<string, string> = existsSync(file) ? JSON.parse(readFileSync(file, 'utf8')) : {};
  const existing = secrets[name];
  if (existing) return existing;
  const secret = make();
  mkdirSync(dataDir, { recursive: true });
  writeFileSync(file, JSON.stringify({ ...secrets, [name]: secret }, null, 2), { mode: 0o600 });
  return secret;
}

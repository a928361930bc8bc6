import {
  createDecipheriv,
  createECDH,
  createPublicKey,
  type ECDH,
  hkdfSync,
  randomBytes,
  randomUUID,
  verify as verifySignature,
} from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A real Web Push service for tests, on 127.0.0.1 over plain HTTP (the server sends to it when
 * PUSH_ALLOW_LOCAL_ENDPOINTS is on). It does what a browser vendor's push service and the
 * browser together do with a push, with its own node:crypto code, so a test proves the bytes
 * are right independently of the library that made them:
 *
 * - checks the request as RFC 8030 asks (POST, a TTL header, `Content-Encoding: aes128gcm`);
 * - verifies the VAPID authorization (RFC 8292): `vapid t=<JWT>, k=<public key>`, an ES256
 *   signature by `k`, `aud` = this service's origin, `exp` in the future and at most 24 h
 *   ahead, `sub` a mailto: or https: URI, and `k` equal to the subscription's
 *   applicationServerKey when the subscription was minted with one;
 * - decrypts the body (RFC 8188 aes128gcm records, keys derived as RFC 8291 says) with the
 *   subscription's private key and auth secret, and parses the plaintext as JSON.
 *
 * Every push that passes is recorded in `received` (and handed to `onPush`), with the answer it
 * got; a push that fails a check is answered 400/401/403 and recorded in `rejected` instead.
 * Answers are 201 unless a test chose others for a subscription (`answer`).
 */

/** The three fields of a browser PushSubscription's toJSON() that a server stores. */
export type PushSubscriptionFields = { endpoint: string; p256dh: string; auth: string };

/** A subscription minted by the service, with the private half the browser would keep. */
export type MintedSubscription = PushSubscriptionFields & {
  /** The id in the endpoint's path (`/push/<id>`). */
  id: string;
  /** The user agent's P-256 key pair (its public key is `p256dh`). */
  keys: ECDH;
  /** The 16-byte auth secret (`auth`, decoded). */
  authSecret: Buffer;
};

/** What the service answers to one push: a status and, for 429/503, an optional Retry-After. */
export type PushAnswer = { status: number; retryAfter?: string };

/** The verified claims of a push's VAPID JWT, and the key that signed it. */
export type VapidClaims = { aud: string; exp: number; sub: string; publicKey: string };

/** One push that passed every check (whatever status it was answered with). */
export type ReceivedPush = {
  subscriptionId: string;
  /** The TTL header, in seconds. */
  ttl: number;
  /** The Urgency header (RFC 8030 §5.3), or undefined when absent. */
  urgency: string | undefined;
  /** The Topic header (RFC 8030 §5.4), or undefined when absent. */
  topic: string | undefined;
  vapid: VapidClaims;
  /** The decrypted plaintext, padding removed. */
  plaintext: string;
  /** The plaintext parsed as JSON. */
  payload: unknown;
  /** The status this push was answered with. */
  status: number;
  /** When it arrived (Date.now()). */
  receivedAt: number;
};

/** A push refused by a check: why, and for which subscription id (if the path named one). */
export type RejectedPush = { subscriptionId: string | undefined; status: number; reason: string };

export type PushService = {
  /** The origin, e.g. http://127.0.0.1:41234 (the `aud` a VAPID JWT must name). */
  origin: string;
  /** Mints a new subscription; with `applicationServerKey`, pushes to it must be signed by that key. */
  newSubscription: (options?: { applicationServerKey?: string }) => MintedSubscription;
  /**
   * Sets the answers for subscription `id`: `next` are used one per push in order, then `then`
   * (201 when not given) for every later push. `answer(id, [], { status: 410 })` makes it gone.
   */
  answer: (id: string, next: PushAnswer[], then?: PushAnswer) => void;
  /** Every push that passed the checks, in order of arrival. */
  received: ReceivedPush[];
  /** The pushes answered with 2xx (what a browser would be woken with). */
  delivered: () => ReceivedPush[];
  /** Pushes refused by a check (a wrong JWT, a body that does not decrypt…): should stay empty. */
  rejected: RejectedPush[];
  /** TCP connections accepted, pushes or not (an SSRF test checks that none came). */
  connections: () => number;
  /** Called with each delivered push, before it is answered (a browser test forwards it to Chromium). */
  onPush: ((push: ReceivedPush) => void | Promise<void>) | undefined;
  /** Resolves once `predicate` holds for `received`, checked on each arrival; rejects after `timeoutMs`. */
  waitFor: (predicate: (received: ReceivedPush[]) => boolean, timeoutMs?: number) => Promise<ReceivedPush[]>;
  close: () => Promise<void>;
};

const MAX_BODY = 8192;
const DAY_SECONDS = 24 * 60 * 60;

/** Starts a push service on 127.0.0.1 on a free port. */
export async function startPushService(options: { onPush?: PushService['onPush'] } = {}): Promise<PushService> {
  const subscriptions = new Map<string, MintedSubscription & { applicationServerKey: string | undefined }>();
  const answers = new Map<string, { next: PushAnswer[]; then: PushAnswer }>();
  const waiters = new Set<() => void>();
  let connections = 0;
  let origin = '';

  const service: PushService = {
    origin: '',
    received: [],
    rejected: [],
    onPush: options.onPush,
    connections: () => connections,
    delivered: () => service.received.filter((p) => p.status >= 200 && p.status < 300),
    newSubscription: ({ applicationServerKey } = {}) => {
      const id = randomUUID();
      const keys = createECDH('prime256v1');
      keys.generateKeys();
      const authSecret = randomBytes(16);
      const minted: MintedSubscription = {
        id,
        endpoint: `${origin}/push/${id}`,
        p256dh: keys.getPublicKey().toString('base64url'),
        auth: authSecret.toString('base64url'),
        keys,
        authSecret,
      };
      subscriptions.set(id, { ...minted, applicationServerKey });
      return minted;
    },
    answer: (id, next, then = { status: 201 }) => {
      answers.set(id, { next: [...next], then });
    },
    waitFor: (predicate, timeoutMs = 10_000) =>
      new Promise((resolve, reject) => {
        const check = () => {
          if (!predicate(service.received)) return;
          waiters.delete(check);
          clearTimeout(timer);
          resolve(service.received);
        };
        const timer = setTimeout(() => {
          waiters.delete(check);
          reject(new Error(`push service: condition not met in ${timeoutMs} ms (received ${service.received.length})`));
        }, timeoutMs);
        waiters.add(check);
        check();
      }),
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };

  const nextAnswer = (id: string): PushAnswer => {
    const chosen = answers.get(id);
    if (!chosen) return { status: 201 };
    return chosen.next.shift() ?? chosen.then;
  };

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const body = await readBody(req);
    const id = /^\/push\/([0-9a-f-]+)$/.exec(req.url ?? '')?.[1];
    const refuse = (status: number, reason: string) => {
      service.rejected.push({ subscriptionId: id, status, reason });
      res.writeHead(status, { 'content-type': 'text/plain' }).end(reason);
    };
    if (req.method !== 'POST') return refuse(405, `method ${req.method}`);
    const subscription = id ? subscriptions.get(id) : undefined;
    if (!id || !subscription) return refuse(404, `no subscription at ${req.url}`);
    if (body === undefined) return refuse(413, 'body too large');

    const ttlHeader = req.headers.ttl;
    if (typeof ttlHeader !== 'string' || !/^\d+$/.test(ttlHeader)) return refuse(400, 'missing or malformed TTL header');
    if (req.headers['content-encoding'] !== 'aes128gcm') return refuse(400, `content-encoding ${req.headers['content-encoding']}`);

    let vapid: VapidClaims;
    try {
      vapid = verifyVapid(req.headers.authorization, origin, subscription.applicationServerKey);
    } catch (e) {
      return refuse(e instanceof ForbiddenKey ? 403 : 401, (e as Error).message);
    }
    let plaintext: string;
    let payload: unknown;
    try {
      plaintext = decryptAes128gcm(body, subscription.keys, subscription.authSecret).toString('utf8');
      payload = JSON.parse(plaintext);
    } catch (e) {
      return refuse(400, `payload: ${(e as Error).message}`);
    }

    const answer = nextAnswer(id);
    const push: ReceivedPush = {
      subscriptionId: id,
      ttl: Number(ttlHeader),
      urgency: header(req, 'urgency'),
      topic: header(req, 'topic'),
      vapid,
      plaintext,
      payload,
      status: answer.status,
      receivedAt: Date.now(),
    };
    service.received.push(push);
    if (answer.status >= 200 && answer.status < 300) await service.onPush?.(push);
    const headers: Record<string, string> = {};
    if (answer.retryAfter !== undefined) headers['retry-after'] = answer.retryAfter;
    if (answer.status === 201) headers.location = `${origin}/message/${randomUUID()}`;
    res.writeHead(answer.status, headers).end();
    for (const waiter of [...waiters]) waiter();
  };

  const server = createServer((req, res) => {
    handle(req, res).catch((e) => {
      if (!res.headersSent) res.writeHead(500).end(String(e));
    });
  });
  server.on('connection', () => {
    connections++;
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  service.origin = origin;
  return service;
}

function header(req: IncomingMessage, name: string): string | undefined {
  const value = req.headers[name];
  return typeof value === 'string' ? value : undefined;
}

/** The whole request body, or undefined past MAX_BODY bytes (RFC 8030 services cap it at 4 KB or so). */
async function readBody(req: IncomingMessage): Promise<Buffer | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY) return undefined;
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

class ForbiddenKey extends Error {}

/**
 * Verifies an RFC 8292 `Authorization: vapid t=…, k=…` header for a push service at `origin`;
 * returns the claims. Throws when anything is missing or wrong (ForbiddenKey when the key is not
 * the one the subscription was made with).
 */
export function verifyVapid(authorization: string | undefined, origin: string, applicationServerKey?: string): VapidClaims {
  const match = /^vapid\s+(.+)$/i.exec(authorization ?? '');
  if (!match) throw new Error(`authorization is not a vapid scheme: ${authorization}`);
  const params = new Map<string, string>();
  for (const part of (match[1] as string).split(',')) {
    const eq = part.indexOf('=');
    if (eq > 0) params.set(part.slice(0, eq).trim(), part.slice(eq + 1).trim());
  }
  const token = params.get('t');
  const k = params.get('k');
  if (!token || !k) throw new Error('vapid authorization needs t= and k=');
  const publicKey = Buffer.from(k, 'base64url');
  if (publicKey.length !== 65 || publicKey[0] !== 4) throw new Error('k is not an uncompressed P-256 point');
  if (applicationServerKey !== undefined && k !== applicationServerKey)
    throw new ForbiddenKey('k is not the applicationServerKey of this subscription');

  const [headerPart, claimsPart, signaturePart, ...rest] = token.split('.');
  if (!headerPart || !claimsPart || !signaturePart || rest.length) throw new Error('t is not a JWS compact serialization');
  const jwtHeader = JSON.parse(Buffer.from(headerPart, 'base64url').toString('utf8')) as { alg?: string; typ?: string };
  if (jwtHeader.alg !== 'ES256') throw new Error(`JWT alg ${jwtHeader.alg}, not ES256`);
  const key = createPublicKey({
    key: { kty: 'EC', crv: 'P-256', x: publicKey.subarray(1, 33).toString('base64url'), y: publicKey.subarray(33).toString('base64url') },
    format: 'jwk',
  });
  const signature = Buffer.from(signaturePart, 'base64url');
  if (signature.length !== 64) throw new Error('ES256 signature is not 64 bytes');
  const signed = Buffer.from(`${headerPart}.${claimsPart}`, 'ascii');
  if (!verifySignature('sha256', signed, { key, dsaEncoding: 'ieee-p1363' }, signature)) throw new Error('JWT signature does not verify');

  const claims = JSON.parse(Buffer.from(claimsPart, 'base64url').toString('utf8')) as Partial<VapidClaims>;
  if (claims.aud !== origin) throw new Error(`aud ${claims.aud}, not ${origin}`);
  const now = Math.floor(Date.now() / 1000);
  if (typeof claims.exp !== 'number' || claims.exp <= now) throw new Error(`exp ${claims.exp} is not in the future`);
  if (claims.exp > now + DAY_SECONDS) throw new Error(`exp ${claims.exp} is more than 24 h ahead`);
  if (typeof claims.sub !== 'string' || !/^(mailto:|https:)/.test(claims.sub))
    throw new Error(`sub ${claims.sub} is not mailto: or https:`);
  return { aud: claims.aud, exp: claims.exp, sub: claims.sub, publicKey: k };
}

/**
 * Decrypts an RFC 8188 aes128gcm body as a user agent does (RFC 8291): the header's key id is the
 * sender's public key; the input keying material comes from ECDH with it and the auth secret.
 * Returns the plaintext without its padding and delimiter.
 */
export function decryptAes128gcm(body: Buffer, keys: ECDH, authSecret: Buffer): Buffer {
  if (body.length < 21) throw new Error('body shorter than the aes128gcm header');
  const salt = body.subarray(0, 16);
  const rs = body.readUInt32BE(16);
  const idlen = body[20] as number;
  if (rs < 18) throw new Error(`record size ${rs} too small`);
  if (idlen !== 65) throw new Error(`key id is ${idlen} bytes, not a 65-byte P-256 key`);
  const senderPublic = body.subarray(21, 21 + idlen);
  const records = body.subarray(21 + idlen);
  if (records.length === 0) throw new Error('no records');

  const ecdhSecret = keys.computeSecret(senderPublic);
  const keyInfo = Buffer.concat([Buffer.from('WebPush: info\0', 'ascii'), keys.getPublicKey(), senderPublic]);
  const ikm = Buffer.from(hkdfSync('sha256', ecdhSecret, authSecret, keyInfo, 32));
  const cek = Buffer.from(hkdfSync('sha256', ikm, salt, Buffer.from('Content-Encoding: aes128gcm\0', 'ascii'), 16));
  const baseNonce = Buffer.from(hkdfSync('sha256', ikm, salt, Buffer.from('Content-Encoding: nonce\0', 'ascii'), 12));

  const parts: Buffer[] = [];
  const count = Math.ceil(records.length / rs);
  for (let i = 0; i < count; i++) {
    const record = records.subarray(i * rs, Math.min((i + 1) * rs, records.length));
    if (record.length <= 16) throw new Error(`record ${i} holds no data`);
    const nonce = Buffer.from(baseNonce);
    nonce.writeUInt32BE((nonce.readUInt32BE(8) ^ i) >>> 0, 8); // seq XOR the nonce's low bits (RFC 8188 §2.3)
    const decipher = createDecipheriv('aes-128-gcm', cek, nonce);
    decipher.setAuthTag(record.subarray(record.length - 16));
    const padded = Buffer.concat([decipher.update(record.subarray(0, record.length - 16)), decipher.final()]);
    let end = padded.length - 1;
    while (end >= 0 && padded[end] === 0) end--;
    const last = i === count - 1;
    if (end < 0 || padded[end] !== (last ? 2 : 1)) throw new Error(`record ${i}: padding delimiter is not ${last ? 2 : 1}`);
    parts.push(padded.subarray(0, end));
  }
  return Buffer.concat(parts);
}

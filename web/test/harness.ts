/// <reference types="node" />
import 'fake-indexeddb/auto';
import { IDBFactory } from 'fake-indexeddb';
import { afterAll } from 'vitest';
import type { App } from '../../api/src/app.js';
import { useTestApp } from '../../api/test/harness.js';
import { createMailboatClient, type MailboatClientHandle } from '../src/app/client.js';
import type { Account } from '../src/sync/account.js';

/**
 * Node has no Web Locks: the devices here get a minimal exclusive LockManager (one queue per
 * name, shared by everything in the test process), so the app's flush and the service
 * worker's replay exclude each other as they do in a browser.
 */
if (!(globalThis as { navigator?: { locks?: unknown } }).navigator?.locks) {
  const tails = new Map<string, Promise<unknown>>();
  const locks = {
    request(name: string, fn: () => Promise<unknown>) {
      const run = (tails.get(name) ?? Promise.resolve()).catch(() => undefined).then(() => fn());
      tails.set(name, run);
      return run;
    },
  };
  Object.defineProperty(globalThis, 'navigator', {
    value: { ...(globalThis as { navigator?: object }).navigator, locks },
    configurable: true,
  });
}

/**
 * Test devices: each is a MailboatClient with its own fake IndexedDB, talking to the real
 * API in-process (yoga.fetch) through a switch that can cut its network.
 */

/**
 * Starts the real API on a fresh in-memory PGlite for the file (shared: PGlite is slow to
 * start). `env` overrides the test configuration (e.g. ACCESS_TOKEN_TTL_SECONDS).
 */
export function startApi(env: Record<string, string> = {}): () => App {
  // biome-ignore lint/correctness/useHookAtTopLevel: useTestApp registers vitest's beforeAll/afterAll, it is no React hook
  return useTestApp('pglite', env);
}

export type DeviceOptions = {
  now?: () => number;
  /**
   * BODY (default) keeps the refresh token in IndexedDB. COOKIE behaves like a browser: the
   * device keeps a cookie jar (Set-Cookie honoured, path-scoped) and sends every request as
   * same-origin (Sec-Fetch-Site), which the API requires for a cookie refresh.
   */
  delivery?: 'COOKIE' | 'BODY';
  /** The device's localStorage (where the screen snapshot is kept); default none. */
  localStorage?: Storage;
};

/**
 * One simulated device: its IndexedDB survives `restart()` (but not `wipeStorage()`);
 * `offline` makes every new request fail like a dropped network (streams already open stay).
 */
export class Device {
  client: MailboatClientHandle;
  offline = false;
  /** Requests made (GraphQL operation names, or paths), for asserting what was sent. */
  readonly requests: string[] = [];
  /** The access tokens sent, latest last. */
  readonly bearers: string[] = [];
  /** The cookie jar (COOKIE delivery): name -> value and path. */
  readonly cookies = new Map<string, { value: string; path: string }>();
  indexedDB = new IDBFactory();
  /** When set, a response to the named request waits for the returned promise before the client sees it. */
  gate: ((request: string) => Promise<void> | undefined) | null = null;
  /** When set, the named request waits for the returned promise before it reaches the API (a slow network on the way there). */
  hold: ((request: string) => Promise<void> | undefined) | null = null;

  constructor(
    private readonly app: App,
    readonly name: string,
    private readonly options: DeviceOptions = {},
  ) {
    this.client = this.create();
  }

  private create(): MailboatClientHandle {
    return createMailboatClient({
      baseUrl: 'http://localhost',
      fetch: this.fetch,
      indexedDB: this.indexedDB,
      refreshTokenDelivery: this.options.delivery ?? 'BODY',
      device: { name: this.name, platform: 'test', appVersion: '1.0.0' },
      ...(this.options.now ? { now: this.options.now } : {}),
      ...(this.options.localStorage ? { localStorage: this.options.localStorage } : {}),
    });
  }

  readonly fetch: typeof fetch = async (input, givenInit) => {
    if (this.offline) throw new TypeError('Failed to fetch');
    // A network carries a Blob body as its bytes; the in-process server (whatwg-node) cannot read a Blob itself.
    const init = givenInit?.body instanceof Blob ? { ...givenInit, body: new Uint8Array(await givenInit.body.arrayBuffer()) } : givenInit;
    const url = new URL(typeof input === 'string' ? input : input instanceof URL ? input.toString() : input.url);
    const body = typeof init?.body === 'string' ? init.body : '';
    const name = /"operationName":"(\w+)"/.exec(body)?.[1] ?? /(?:query|mutation|subscription)\s+(\w+)/.exec(body)?.[1];
    const request = name ?? url.pathname;
    this.requests.push(request);
    const bearer = /^Bearer (.+)$/.exec(new Headers(init?.headers).get('authorization') ?? '')?.[1];
    if (bearer) this.bearers.push(bearer);
    await this.hold?.(request);
    if (this.offline) throw new TypeError('Failed to fetch');
    if (this.options.delivery !== 'COOKIE') {
      const response = withDate(await (this.app.yoga.fetch as typeof fetch)(input, init));
      await this.gate?.(request);
      return response;
    }
    const headers = new Headers(init?.headers);
    headers.set('sec-fetch-site', 'same-origin');
    const cookie = [...this.cookies].filter(([, c]) => url.pathname.startsWith(c.path)).map(([k, c]) => `${k}=${c.value}`);
    if (cookie.length > 0) headers.set('cookie', cookie.join('; '));
    const response = withDate(await (this.app.yoga.fetch as typeof fetch)(url.toString(), { ...init, headers }));
    for (const set of response.headers.getSetCookie()) this.keepCookie(set);
    await this.gate?.(request);
    return response;
  };

  private keepCookie(header: string): void {
    const [pair = '', ...attributes] = header.split(';').map((p) => p.trim());
    const eq = pair.indexOf('=');
    const cookieName = pair.slice(0, eq);
    const value = pair.slice(eq + 1);
    const attr = (key: string) => attributes.find((a) => a.toLowerCase().startsWith(`${key}=`))?.slice(key.length + 1);
    const expires = attr('expires');
    const gone = value === '' || attr('max-age') === '0' || (expires !== undefined && Date.parse(expires) <= Date.now());
    if (gone) this.cookies.delete(cookieName);
    else this.cookies.set(cookieName, { value, path: attr('path') ?? '/' });
  }

  /** Closes the client and opens a new one on the same IndexedDB (an app restart). */
  async restart(): Promise<void> {
    await this.client.close();
    this.client = this.create();
    await this.client.ready;
  }

  /** Replaces the device's IndexedDB with an empty one (the browser evicted or cleared it); cookies stay. Close the client first. */
  wipeStorage(): void {
    this.indexedDB = new IDBFactory();
  }

  async close(): Promise<void> {
    await this.client.close();
  }

  count(operation: string): number {
    return this.requests.filter((r) => r === operation).length;
  }
}

/** Stamps a Date header on an in-process answer, as every HTTP server does (the client learns the server's time from it). */
function withDate(response: Response): Response {
  if (!response.headers.has('date')) response.headers.set('date', new Date().toUTCString());
  return response;
}

/** The device's local account state (internals, for tests that look under the contract). */
export const accountOf = (device: Device): Account | null =>
  (device.client as unknown as { sessions: { account: Account | null } }).sessions.account;

/** The names of the databases the device holds. */
export const databaseNames = async (device: Device): Promise<string[]> => (await device.indexedDB.databases()).map((d) => d.name ?? '');

/** Polls `check` until it returns a truthy value (generous timeout: the machine is shared). */
export async function until<T>(check: () => T | Promise<T>, what = 'condition', timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const value = await check();
      if (value) return value;
    } catch (e) {
      last = e;
    }
    if (Date.now() > deadline) throw new Error(`Timed out waiting for ${what}${last ? `: ${String(last)}` : ''}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

let counter = 0;
/** A unique handle for a test user. */
export const handle = (prefix: string) => `${prefix}_${Date.now().toString(36)}${(counter++).toString(36)}`;

export const PASSWORD = 'correct horse battery';

/**
 * Devices for one describe block: `device(name, options)` makes a Device on the file's API
 * and closes it after the block's tests.
 */
export function useDevices(api: () => App): (name: string, options?: DeviceOptions) => Device {
  const open: Device[] = [];
  afterAll(async () => {
    for (const d of open) await d.close();
  });
  return (name, options) => {
    const d = new Device(api(), name, options);
    open.push(d);
    return d;
  };
}

/** Signs a new user up on `device`. */
export async function signUp(device: Device, prefix: string, displayName: string): Promise<string> {
  const h = handle(prefix);
  await device.client.signUp({ handle: h, displayName, password: PASSWORD });
  return h;
}

/** Signs Ana up on `ana` and Bo on `bo`, and opens their direct conversation from Ana's side. */
export async function directPair(ana: Device, bo: Device): Promise<{ c: string; boHandle: string }> {
  await signUp(ana, 'ana', 'Ana');
  const boHandle = await signUp(bo, 'bo', 'Bo');
  const c = await ana.client.openDirect((await ana.client.findUser(boHandle))!.id);
  return { c, boHandle };
}

/** Ana and Bo, each on a new device of `device` (useDevices'; Ana's with `anaOptions`), in a direct conversation Ana opened. */
export async function anaAndBo(
  device: (name: string, options?: DeviceOptions) => Device,
  anaOptions?: DeviceOptions,
): Promise<{ ana: Device; bo: Device; c: string; boHandle: string }> {
  const ana = device('ana', anaOptions);
  const bo = device('bo');
  return { ana, bo, ...(await directPair(ana, bo)) };
}

/** Waits until `from` has pushed all it wrote, then until `to`, synced, shows `text` in the conversation. */
export async function delivered(from: Device, to: Device, conversationId: string, text: string): Promise<void> {
  await until(() => from.client.syncState().pending === 0, `${from.name} to push`);
  await to.client.syncNow();
  await until(() => texts(to, conversationId).includes(text), `${to.name} to receive '${text}'`);
}

/** The texts of a conversation as the device shows it. */
export const texts = (device: Device, conversationId: string) => device.client.conversation(conversationId).messages.map((m) => m.text);

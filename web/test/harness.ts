/// <reference types="node" />
import 'fake-indexeddb/auto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { IDBFactory } from 'fake-indexeddb';
import { afterAll, beforeAll } from 'vitest';
import { type App, createApp } from '../../api/src/app.js';
import { loadConfig } from '../../api/src/config.js';
import { connectPGlite } from '../../api/src/db/connect.js';
import { createMailboatClient, type MailboatClientHandle } from '../src/app/client.js';

/**
 * Test devices: each is a MailboatClient with its own fake IndexedDB, talking to the real
 * API in-process (yoga.fetch) through a switch that can cut its network.
 */

/** Starts the real API on a fresh in-memory PGlite for the file (shared: PGlite is slow to start). */
export function startApi(): () => App {
  let app: App | undefined;
  let dataDir = '';
  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'mailboat-web-test-'));
    const config = loadConfig({
      NODE_ENV: 'test',
      DATA_DIR: dataDir,
      TOKEN_SECRET: 'test-secret-test-secret-test-secret-0123',
      PASSWORD_HASH_COST: '10',
      WRITES_PER_MINUTE: '100000',
      AUTH_ATTEMPTS_PER_MINUTE: '100000',
    });
    app = await createApp(config, await connectPGlite());
  });
  afterAll(async () => {
    await app?.close();
    rmSync(dataDir, { recursive: true, force: true });
  });
  return () => {
    if (!app) throw new Error('API not started');
    return app;
  };
}

/** One simulated device: its IndexedDB survives `restart()`; `offline` makes every request fail like a dropped network. */
export class Device {
  client: MailboatClientHandle;
  offline = false;
  /** Requests made (GraphQL operation names, or paths), for asserting what was sent. */
  readonly requests: string[] = [];
  readonly indexedDB = new IDBFactory();

  constructor(
    private readonly app: App,
    readonly name: string,
    private readonly clientOptions: { now?: () => number } = {},
  ) {
    this.client = this.create();
  }

  private create(): MailboatClientHandle {
    return createMailboatClient({
      baseUrl: 'http://localhost',
      fetch: this.fetch,
      indexedDB: this.indexedDB,
      refreshTokenDelivery: 'BODY',
      device: { name: this.name, platform: 'test', appVersion: '1.0.0' },
      ...this.clientOptions,
    });
  }

  readonly fetch: typeof fetch = async (input, init) => {
    if (this.offline) throw new TypeError('Failed to fetch');
    const url = typeof input === 'string' ? input : input instanceof URL ? input.toString() : input.url;
    const body = typeof init?.body === 'string' ? init.body : '';
    const name = /"operationName":"(\w+)"/.exec(body)?.[1] ?? /(?:query|mutation|subscription)\s+(\w+)/.exec(body)?.[1];
    this.requests.push(name ?? new URL(url).pathname);
    return (this.app.yoga.fetch as typeof fetch)(input, init);
  };

  /** Closes the client and opens a new one on the same IndexedDB (an app restart). */
  async restart(): Promise<void> {
    await this.client.close();
    this.client = this.create();
    await this.client.ready;
  }

  async close(): Promise<void> {
    await this.client.close();
  }

  count(operation: string): number {
    return this.requests.filter((r) => r === operation).length;
  }
}

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

/** Signs a new user up on `device`. */
export async function signUp(device: Device, prefix: string, displayName: string): Promise<string> {
  const h = handle(prefix);
  await device.client.signUp({ handle: h, displayName, password: PASSWORD });
  return h;
}

/** The texts of a conversation as the device shows it. */
export const texts = (device: Device, conversationId: string) => device.client.conversation(conversationId).messages.map((m) => m.text);

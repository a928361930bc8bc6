import { randomBytes } from 'node:crypto';
import { sql } from 'kysely';
import { afterAll, beforeAll, inject } from 'vitest';
import type { App } from '../src/app.js';
import { connectPGlite, connectPostgres, type Db } from '../src/db/connect.js';
import { decodeGlobalId } from '../src/global-ids.js';
import { createDatabase, type RunningApp, startApp, testEnv } from './environment.js';

export { testEnv };

/** Every integration test runs against both: embedded PGlite and a real Postgres server. */
export const backends = ['pglite', 'postgres'] as const;
export type Backend = (typeof backends)[number];

/** A fresh database on `backend`: an in-memory PGlite, or a new database on the test Postgres server. */
export async function freshDatabase(backend: Backend): Promise<Db> {
  if (backend === 'pglite') return connectPGlite();
  return connectPostgres(await freshPostgresUrl());
}

/** The URL of a new, empty database on the test Postgres server. */
export async function freshPostgresUrl(): Promise<string> {
  return createDatabase(inject('postgresUrl'));
}

export type TestApp = RunningApp & { client: TestClient };

/** Starts the real app in-process on a fresh database; closes it afterwards. */
export async function startTestApp(backend: Backend, env: Record<string, string> = {}): Promise<TestApp> {
  const app = await startApp(testEnv(env), await freshDatabase(backend));
  return { ...app, client: new TestClient(app) };
}

/** Registers beforeAll/afterAll for a describe block and returns a getter for its app. */
export function useTestApp(backend: Backend, env: Record<string, string> = {}): () => TestApp {
  let app: TestApp | undefined;
  beforeAll(async () => {
    app = await startTestApp(backend, env);
  });
  afterAll(async () => {
    await app?.close();
  });
  return () => {
    if (!app) throw new Error('test app not started');
    return app;
  };
}

export type GqlResult<T = Record<string, any>> = {
  status: number;
  headers: Headers;
  data: T | null | undefined;
  errors: { message: string; extensions?: Record<string, any>; path?: string[] }[] | undefined;
};

export type Session = {
  handle: string;
  password: string;
  userId: string;
  deviceId: string;
  accessToken: string;
  refreshToken: string;
};

const deviceInput = (name = 'Test phone') => ({ name, platform: 'test', appVersion: '1.0.0' });

/** Talks to the app through `yoga.fetch`, exactly as an HTTP client would. */
export class TestClient {
  constructor(private readonly app: App) {}

  async request(path: string, init: RequestInit = {}): Promise<Response> {
    return this.app.yoga.fetch(`http://localhost${path}`, init);
  }

  async gql<T = Record<string, any>>(
    query: string,
    variables: Record<string, unknown> = {},
    options: { token?: string; headers?: Record<string, string> } = {},
  ): Promise<GqlResult<T>> {
    const res = await this.request('/graphql', {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        accept: 'application/graphql-response+json',
        ...(options.token ? { authorization: `Bearer ${options.token}` } : {}),
        ...options.headers,
      },
      body: JSON.stringify({ query, variables }),
    });
    const body = (await res.json()) as { data?: T | null; errors?: GqlResult['errors'] };
    return { status: res.status, headers: res.headers, data: body.data, errors: body.errors };
  }

  /** Like gql, but fails the test on any error and returns data. */
  async ok<T = Record<string, any>>(query: string, variables: Record<string, unknown> = {}, token?: string): Promise<T> {
    const r = await this.gql<T>(query, variables, { token });
    if (r.errors?.length || !r.data) throw new Error(`GraphQL errors: ${JSON.stringify(r.errors)}`);
    return r.data;
  }

  /** Signs up a new user with a unique handle (refresh token in the body). */
  async signUp(prefix = 'user', displayName = 'Test User'): Promise<Session> {
    const handle = `${prefix}_${randomBytes(4).toString('hex')}`;
    const password = 'correct horse battery';
    const data = await this.ok(SIGN_UP, {
      input: { handle, password, displayName, device: deviceInput(), refreshTokenDelivery: 'BODY' },
    });
    return sessionOf(handle, password, data.signUp);
  }

  /** Signs an existing user in on a new device. */
  async signIn(handle: string, password: string, deviceName = 'Second device'): Promise<Session> {
    const data = await this.ok(SIGN_IN, { input: { handle, password, device: deviceInput(deviceName), refreshTokenDelivery: 'BODY' } });
    return sessionOf(handle, password, data.signIn);
  }

  /** Two new users, Ana and Bo, and the direct conversation between them (with this client, for tests to go on with). */
  async directPair(): Promise<{ client: TestClient; ana: Session; bo: Session; conversationId: string }> {
    const ana = await this.signUp('ana');
    const bo = await this.signUp('bo');
    const data = await this.ok('mutation($u: ID!) { openDirectConversation(userId: $u) { id } }', { u: bo.userId }, ana.accessToken);
    return { client: this, ana, bo, conversationId: data.openDirectConversation.id };
  }

  /** A group conversation `owner` creates with `members`; returns its id. */
  async createGroup(owner: Session, members: Session[], title = 'Crew'): Promise<string> {
    const data = await this.ok(
      'mutation($i: CreateGroupConversationInput!) { createGroupConversation(input: $i) { id } }',
      { i: { title, memberIds: members.map((m) => m.userId) } },
      owner.accessToken,
    );
    return data.createGroupConversation.id;
  }

  /** Moves a conversation's start `ms` back (see backdateConversation). */
  async backdate(conversationId: string, ms: number): Promise<void> {
    await backdateConversation(this.app.deps.db, conversationId, ms);
  }

  /** POSTs a refresh token as JSON to /auth/refresh. */
  async refresh(refreshToken: string): Promise<{ status: number; body: any }> {
    const res = await this.request('/auth/refresh', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ refreshToken }),
    });
    return { status: res.status, body: await res.json() };
  }

  /** Opens an SSE subscription and returns a reader of its events. */
  async subscribe(query: string, token: string): Promise<SseReader> {
    const controller = new AbortController();
    const res = await this.request('/graphql', {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'text/event-stream', authorization: `Bearer ${token}` },
      body: JSON.stringify({ query }),
      signal: controller.signal,
    });
    const reader = new SseReader(res, controller);
    await new Promise((resolve) => setTimeout(resolve, 50)); // let the server subscribe before the test acts
    return reader;
  }
}

/**
 * Moves a conversation's start `ms` back (its created_at) in `db`, so messages may be written
 * into past hours: the write rules refuse a message older than its conversation.
 */
export async function backdateConversation(db: Db, conversationId: string, ms: number): Promise<void> {
  const id = decodeGlobalId(conversationId).id;
  await sql`update conversations set created_at = created_at - make_interval(secs => ${ms / 1000}) where id = ${id}`.execute(db);
}

export const SESSION_FIELDS =
  'accessToken refreshToken refreshTokenExpiresAt accessTokenExpiresAt user { id handle displayName } device { id name }';
export const SIGN_UP = `mutation($input: SignUpInput!) { signUp(input: $input) { ${SESSION_FIELDS} } }`;
export const SIGN_IN = `mutation($input: SignInInput!) { signIn(input: $input) { ${SESSION_FIELDS} } }`;
export { deviceInput };

function sessionOf(handle: string, password: string, p: any): Session {
  return { handle, password, userId: p.user.id, deviceId: p.device.id, accessToken: p.accessToken, refreshToken: p.refreshToken };
}

export type SseMessage = { event: string; data: any };

/** The next `events` subscription event of this GraphQL type, skipping others; undefined once the stream ends. */
export async function nextEvent(reader: SseReader, typename: string, timeoutMs = 3000): Promise<any> {
  for (;;) {
    const m = await reader.next(timeoutMs);
    if (m.event === 'end') return undefined;
    const e = m.data?.data?.events;
    if (e?.__typename === typename) return e;
  }
}

/**
 * Reads server-sent events. It starts reading at once (so the server sets the subscription
 * up), queues what arrives, and `next` rejects after a timeout so tests cannot hang.
 */
export class SseReader {
  private buffer = '';
  private readonly queue: SseMessage[] = [];
  private wake: (() => void) | undefined;
  private ended = false;
  readonly status: number;

  constructor(
    res: Response,
    private readonly controller: AbortController,
  ) {
    this.status = res.status;
    if (res.body) void this.pump(res.body.getReader());
    else this.ended = true;
  }

  /** The next event other than keep-alive comments; `{event: 'end'}` once the stream has closed. */
  async next(timeoutMs = 5000): Promise<SseMessage> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const message = this.queue.shift();
      if (message) return message;
      if (this.ended) return { event: 'end', data: null };
      const remaining = deadline - Date.now();
      if (remaining <= 0) throw new Error('timed out waiting for an SSE event');
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, remaining);
        this.wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
    }
  }

  close(): void {
    this.controller.abort();
  }

  private async pump(reader: ReadableStreamDefaultReader<Uint8Array>): Promise<void> {
    const decoder = new TextDecoder();
    try {
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        this.buffer += decoder.decode(value, { stream: true });
        this.parse();
        this.wake?.();
      }
    } catch {
      // aborted by close()
    }
    this.ended = true;
    this.wake?.();
  }

  private parse(): void {
    for (;;) {
      const end = this.buffer.indexOf('\n\n');
      if (end < 0) return;
      const block = this.buffer.slice(0, end);
      this.buffer = this.buffer.slice(end + 2);
      let event = 'message';
      const data: string[] = [];
      for (const line of block.split('\n')) {
        if (line.startsWith('event:')) event = line.slice(6).trim();
        else if (line.startsWith('data:')) data.push(line.slice(5).trimStart());
      }
      if (data.length === 0 && event === 'message') continue; // a keep-alive comment
      const text = data.join('\n');
      this.queue.push({ event, data: text ? JSON.parse(text) : null });
    }
  }
}

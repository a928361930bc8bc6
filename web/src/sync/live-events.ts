import { stringifyDocument } from '@urql/core';
import type { ResultOf } from 'gql.tada';
import { type Client, createClient } from 'graphql-sse';
import { ClientError, type ClientErrorCode, ClientOnlyErrorCode } from '../app/model.js';
import { backoffDelay } from './backoff.js';
import { knownErrorCode } from './errors.js';
import { EVENTS } from './operations.js';

/** One `events` payload: a union discriminated by `__typename`, as the EVENTS subscription (operations.ts) selects it. */
export type LiveEvent = ResultOf<typeof EVENTS>['events'];

/** The EVENTS document as graphql-sse sends it (it takes a query string, not a document). */
const EVENTS_QUERY = stringifyDocument(EVENTS);

export type LiveEventsOptions = {
  baseUrl: string;
  fetch: typeof fetch;
  /** A fresh access token for each (re)connect; rejecting ends the attempt like a network error. */
  token: () => Promise<string>;
  onEvent: (event: LiveEvent) => void;
  /** Connected: events published before this moment were not delivered here (the caller catches up); `reconnected` after a break. */
  onConnected: (reconnected: boolean) => void;
  /** The stream broke (it will be resumed with backoff). */
  onBroken: (error: unknown) => void;
  /** The stream ended with an error that reconnecting cannot fix (e.g. DEVICE_REVOKED); it is not resumed. */
  onFatal: (code: ClientErrorCode, error: unknown) => void;
  /** Whether an error means the device is signed out for good. */
  isFatal: (code: ClientErrorCode | undefined, error: unknown) => boolean;
};

/**
 * The device's one live `events` subscription over SSE (graphql-sse, distinct connections
 * mode, as Yoga speaks it). When the stream ends for any other reason (EVENTS_INTERRUPTED,
 * network), it resubscribes with backoff; every connect is reported so the caller catches up.
 */
export class LiveEvents {
  private readonly client: Client;
  private dispose: (() => void) | null = null;
  private timer: ReturnType<typeof setTimeout> | null = null;
  private attempt = 0;
  private broken = false;
  private running = false;

  constructor(private readonly options: LiveEventsOptions) {
    this.client = createClient({
      url: `${options.baseUrl}/graphql`,
      fetchFn: options.fetch,
      headers: async () => ({ authorization: `Bearer ${await options.token()}` }),
      retryAttempts: 0,
      credentials: 'same-origin',
    });
  }

  get active(): boolean {
    return this.running;
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.subscribe();
  }

  stop(): void {
    this.running = false;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.dispose?.();
    this.dispose = null;
  }

  private subscribe(): void {
    let done = false;
    const end = (error: unknown) => {
      if (done) return;
      done = true;
      this.dispose = null;
      if (!this.running) return;
      const code = codeOf(error);
      if (error !== null && this.options.isFatal(code, error)) {
        this.running = false;
        this.options.onFatal(code ?? ClientOnlyErrorCode.UNKNOWN, error);
        return;
      }
      this.broken = true;
      this.options.onBroken(error);
      this.timer = setTimeout(
        () => {
          this.timer = null;
          if (this.running) this.subscribe();
        },
        backoffDelay(this.attempt++, 30_000),
      );
    };
    this.dispose = this.client.subscribe<ResultOf<typeof EVENTS>>(
      { query: EVENTS_QUERY },
      {
        next: (result) => {
          if (result.errors?.length) {
            end({ graphQLErrors: result.errors });
            return;
          }
          if (result.data?.events) this.options.onEvent(result.data.events);
        },
        error: (error) => end(error ?? new Error('The events stream failed')),
        complete: () => end(null),
      },
      {
        connected: () => {
          this.attempt = 0;
          const reconnected = this.broken;
          this.broken = false;
          this.options.onConnected(reconnected);
        },
      },
    );
  }
}

/** The error code carried by a stream error (a ClientError's, or the API's), if any; UNKNOWN for one the client does not know. */
function codeOf(error: unknown): ClientErrorCode | undefined {
  if (error instanceof ClientError) return error.code;
  if (error === null || typeof error !== 'object') return undefined;
  const e = error as { code?: unknown; graphQLErrors?: { extensions?: { code?: unknown } }[] };
  if (typeof e.code === 'string') return knownErrorCode(e.code);
  const code = e.graphQLErrors?.[0]?.extensions?.code;
  return typeof code === 'string' ? knownErrorCode(code) : undefined;
}

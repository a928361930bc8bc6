import { type Client, createClient } from 'graphql-sse';
import { backoffDelay } from './backoff.js';
import { EVENTS } from './operations.js';

/** One `events` payload (see the EVENTS selection in operations.ts). */
export type LiveEvent = Record<string, any> & { __typename: string };

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
  onFatal: (code: string, error: unknown) => void;
  /** Whether an error means the device is signed out for good. */
  isFatal: (code: string | undefined, error: unknown) => boolean;
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
        this.options.onFatal(code ?? 'UNKNOWN', error);
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
    this.dispose = this.client.subscribe<{ events: LiveEvent }>(
      { query: EVENTS },
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

/** The API error code carried by a stream error, if any. */
function codeOf(error: unknown): string | undefined {
  if (error === null || typeof error !== 'object') return undefined;
  const e = error as { code?: unknown; graphQLErrors?: { extensions?: { code?: unknown } }[] };
  if (typeof e.code === 'string') return e.code;
  const code = e.graphQLErrors?.[0]?.extensions?.code;
  return typeof code === 'string' ? code : undefined;
}

import { SyncClient } from '../sync/sync-client.js';
import type { MailboatClient } from './model.js';

/** How the client reaches the API and where it keeps data; browsers need none of these. */
export type ClientOptions = {
  /** The API's origin, e.g. "http://127.0.0.1:4000"; default: the page's own origin. */
  baseUrl?: string;
  /** Default: globalThis.fetch. Tests pass yoga.fetch. */
  fetch?: typeof fetch;
  /** Default: globalThis.indexedDB. */
  indexedDB?: IDBFactory;
  /** Where the screen snapshot is kept (sync/screen-snapshot.ts); default: the page's localStorage, if any. */
  localStorage?: Storage | null;
  /** COOKIE in browsers (HttpOnly refresh cookie); BODY for clients without cookies (tests). */
  refreshTokenDelivery?: 'COOKIE' | 'BODY';
  /** How this device names itself in the device list. */
  device?: { name: string; platform: string; appVersion: string };
  /** The wall clock in epoch ms (default Date.now); tests may skew it. */
  now?: () => number;
};

/** The client as created: the MailboatClient contract, plus lifecycle hooks for tests and page unload. */
export type MailboatClientHandle = MailboatClient & {
  /**
   * Resolves once the app can show: the device's stored session (if any) and its local data are
   * open, or, for a history of 1,000+ messages, once the last run's cached first paint is shown
   * while they open (views are then `cached` and writes throw UNAVAILABLE until they are).
   */
  readonly ready: Promise<void>;
  /** Stops syncing and closes the device's databases; the data stays. */
  close(): Promise<void>;
};

/**
 * The local-first client (web/src/sync): reads and writes the device's own data at once
 * and syncs with the API in the background.
 */
export function createMailboatClient(options: ClientOptions = {}): MailboatClientHandle {
  return new SyncClient(options);
}

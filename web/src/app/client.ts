import type { MailboatClient } from './model.js';

/** How the client reaches the API and where it keeps data; browsers need none of these. */
export type ClientOptions = {
  /** The API's origin, e.g. "http://127.0.0.1:4000"; default: the page's own origin. */
  baseUrl?: string;
  /** Default: globalThis.fetch. Tests pass yoga.fetch. */
  fetch?: typeof fetch;
  /** Default: globalThis.indexedDB. */
  indexedDB?: IDBFactory;
  /** COOKIE in browsers (HttpOnly refresh cookie); BODY for clients without cookies (tests). */
  refreshTokenDelivery?: 'COOKIE' | 'BODY';
  /** How this device names itself in the device list. */
  device?: { name: string; platform: string; appVersion: string };
};

/** Placeholder until the sync core lands (web/src/sync). */
export function createMailboatClient(_options: ClientOptions = {}): MailboatClient {
  throw new Error('createMailboatClient: not built yet');
}

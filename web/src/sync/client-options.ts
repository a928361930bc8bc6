/** How the client reaches the API and where it keeps data; browsers need none of these. */
export type ClientOptions = {
  /** The API's origin, e.g. "http://127.0.0.1:4000"; default: the page's own origin. */
  baseUrl?: string;
  /** Default: globalThis.fetch. Tests pass yoga.fetch. */
  fetch?: typeof fetch;
  /** Default: globalThis.indexedDB. */
  indexedDB?: IDBFactory;
  /** Where the screen snapshot is kept (launch/screen-snapshot.ts); default: the page's localStorage, if any. */
  localStorage?: Storage | null;
  /** COOKIE in browsers (HttpOnly refresh cookie); BODY for clients without cookies (tests). */
  refreshTokenDelivery?: 'COOKIE' | 'BODY';
  /** How this device names itself in the device list. */
  device?: { name: string; platform: string; appVersion: string };
  /** The wall clock in epoch ms (default Date.now); tests may skew it. */
  now?: () => number;
};

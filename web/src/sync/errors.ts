import { ClientError } from '../app/model.js';

/** The code of a ClientError for a request that never got an answer (offline, DNS, 5xx). */
export const NETWORK = 'NETWORK';

/** Codes after which this device is signed out for good: its local data must be wiped. */
export const SIGNED_OUT_CODES: ReadonlySet<string> = new Set([
  'DEVICE_REVOKED',
  'REFRESH_TOKEN_INVALID',
  'REFRESH_TOKEN_REUSED',
  'ACCOUNT_MISMATCH',
]);

/** Codes that mean "refresh the access token and try once more". */
export const RETRY_AFTER_REFRESH: ReadonlySet<string> = new Set(['UNAUTHENTICATED', 'TOKEN_EXPIRED']);

export const networkError = (why = 'No connection to Mailboat') => new ClientError(NETWORK, why);

export const isNetworkError = (e: unknown): boolean => e instanceof ClientError && e.code === NETWORK;

export const isSignedOutError = (e: unknown): boolean => e instanceof ClientError && SIGNED_OUT_CODES.has(e.code);

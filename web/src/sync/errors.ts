import { ErrorCode } from '@mailboat/schema';
import { ClientError, type ClientErrorCode, ClientOnlyErrorCode } from '../app/model.js';

/** Codes after which this device is signed out for good: its local data must be wiped. */
export const SIGNED_OUT_CODES: ReadonlySet<ClientErrorCode> = new Set([
  ErrorCode.DEVICE_REVOKED,
  ErrorCode.REFRESH_TOKEN_INVALID,
  ErrorCode.REFRESH_TOKEN_REUSED,
  ClientOnlyErrorCode.ACCOUNT_MISMATCH,
]);

/** Codes that mean "refresh the access token and try once more". */
export const RETRY_AFTER_REFRESH: ReadonlySet<ClientErrorCode> = new Set([ErrorCode.UNAUTHENTICATED, ErrorCode.TOKEN_EXPIRED]);

const KNOWN_CODES: ReadonlySet<unknown> = new Set<ClientErrorCode>([...Object.values(ErrorCode), ...Object.values(ClientOnlyErrorCode)]);

/** An error code read off the wire (`extensions.code`, an error's `code`): itself when the client knows it, else UNKNOWN. */
export const knownErrorCode = (code: unknown): ClientErrorCode =>
  KNOWN_CODES.has(code) ? (code as ClientErrorCode) : ClientOnlyErrorCode.UNKNOWN;

export const networkError = (why = 'No connection to Mailboat') => new ClientError(ClientOnlyErrorCode.NETWORK, why);

export const isNetworkError = (e: unknown): boolean => e instanceof ClientError && e.code === ClientOnlyErrorCode.NETWORK;

export const isSignedOutError = (e: unknown): boolean => e instanceof ClientError && SIGNED_OUT_CODES.has(e.code);

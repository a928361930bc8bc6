import type { FailedWrite } from './records.js';

/** A push result's error, as the API sends it. */
export type PushError = { code: string; message: string; stateVector: string | null };

/**
 * How a refused push is shown: the server's code and message, and whether retrying (as a new
 * write) can help, which it cannot when the conversation is gone or the change is too big.
 */
export function refusalFailure(error: PushError | null): FailedWrite['failure'] {
  const code = error?.code ?? 'REFUSED';
  return { code, message: error?.message ?? 'Refused', retryable: code !== 'NOT_FOUND' && code !== 'UPDATE_TOO_LARGE' };
}

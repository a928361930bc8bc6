import { ErrorCode } from '@mailboat/schema';
import type { ResultOf } from 'gql.tada';
import { ClientOnlyErrorCode } from '../app/model.js';
import type { PUSH_UPDATES } from './operations.js';
import type { FailedWrite } from './records.js';

/** A push result's error, as the API sends it. */
export type PushError = NonNullable<ResultOf<typeof PUSH_UPDATES>['pushUpdates']['results'][number]['error']>;

/**
 * How a refused push is shown: the server's code and message, and whether retrying (as a new
 * write) can help, which it cannot when the conversation is gone or the change is too big.
 */
export function refusalFailure(error: PushError | null): FailedWrite['failure'] {
  const code = error ? error.code : ClientOnlyErrorCode.REFUSED;
  return { code, message: error?.message ?? 'Refused', retryable: code !== ErrorCode.NOT_FOUND && code !== ErrorCode.UPDATE_TOO_LARGE };
}

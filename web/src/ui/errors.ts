import { ClientError, ClientOnlyErrorCode } from '../app/model.js';

/** The text to show for a failed operation: a ClientError's own message, else a generic line. */
export function errorText(error: unknown): string {
  if (error instanceof ClientError) {
    return error.code === ClientOnlyErrorCode.NETWORK ? 'You are offline. Try again when you are back online.' : error.message;
  }
  return 'Something went wrong. Please try again.';
}

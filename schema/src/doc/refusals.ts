/** Why an update was refused, as a stable code (the same as the API's error codes). */
export type RefusalCode = 'FORBIDDEN_UPDATE' | 'MALFORMED_UPDATE' | 'MISSING_DEPENDENCIES' | 'UPDATE_TOO_LARGE';

/** Why an update was refused; nothing of it was applied. */
export class UpdateRefusedError extends Error {
  override name = 'UpdateRefusedError';
  constructor(
    readonly code: RefusalCode,
    message: string,
  ) {
    super(message);
  }
}

/** Why the write rules refused an update, as a stable code (the same as the API's error codes). */
export type RefusalCode = 'FORBIDDEN_UPDATE' | 'MALFORMED_UPDATE' | 'MISSING_DEPENDENCIES' | 'UPDATE_TOO_LARGE';

/** Every code a pushed update may be refused with (GraphQL enum UpdateRefusalCode): the rules' refusals, or NOT_FOUND for a conversation the writer cannot see. */
export const updateRefusalCodes = [
  'FORBIDDEN_UPDATE',
  'MALFORMED_UPDATE',
  'MISSING_DEPENDENCIES',
  'UPDATE_TOO_LARGE',
  'NOT_FOUND',
] as const;

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

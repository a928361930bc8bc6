import { ErrorCode } from '@mailboat/schema';
import { GraphQLError } from 'graphql';

/**
 * An expected failure a client must handle: reaches the client unmasked with a stable
 * `extensions.code` (see @mailboat/schema ErrorCode) and, where it applies, an HTTP status.
 */
export class AppError extends GraphQLError {
  constructor(code: ErrorCode, message: string, extra: Record<string, unknown> = {}, httpStatus?: number) {
    super(message, { extensions: { code, ...extra, ...(httpStatus ? { http: { status: httpStatus } } : {}) } });
  }
  get code(): ErrorCode {
    return this.extensions.code as ErrorCode;
  }
}

export const badInput = (field: string, message: string) => new AppError(ErrorCode.BAD_USER_INPUT, message, { field });
export const notFound = (what: string) => new AppError(ErrorCode.NOT_FOUND, `${what} not found`);
export const forbidden = (message: string) => new AppError(ErrorCode.FORBIDDEN, message);
export const unauthenticated = (message = 'Sign in to do this') => new AppError(ErrorCode.UNAUTHENTICATED, message, {}, 401);

import { ErrorCode } from '@mailboat/schema';
import { GraphQLError } from 'graphql';

/**
 * The HTTP status of each error code that has one of its own: the one mapping from codes to
 * statuses, for GraphQL answers (AppError carries it in `extensions.http`, which yoga and
 * http/spec-status-codes.ts turn into the response status where the GraphQL-over-HTTP spec
 * wants it) and for answers outside GraphQL (http/json-error.ts). A code not listed reaches
 * clients in GraphQL results only, as a field error (HTTP 200); outside GraphQL it would be 400.
 */
const HTTP_STATUS: Partial<Record<ErrorCode, number>> = {
  [ErrorCode.BAD_USER_INPUT]: 400,
  [ErrorCode.QUERY_TOO_COMPLEX]: 400,
  [ErrorCode.UNAUTHENTICATED]: 401,
  [ErrorCode.TOKEN_EXPIRED]: 401,
  [ErrorCode.DEVICE_REVOKED]: 401,
  [ErrorCode.REFRESH_TOKEN_INVALID]: 401,
  [ErrorCode.REFRESH_TOKEN_REUSED]: 401,
  [ErrorCode.CROSS_SITE_REQUEST]: 403,
  [ErrorCode.REQUEST_TOO_LARGE]: 413,
  [ErrorCode.UNSUPPORTED_MEDIA_TYPE]: 415,
  [ErrorCode.RATE_LIMITED]: 429,
  [ErrorCode.TOO_MANY_STREAMS]: 429,
  [ErrorCode.INTERNAL_SERVER_ERROR]: 500,
  [ErrorCode.EVENTS_INTERRUPTED]: 503,
};

/** The HTTP status answering `code` outside a GraphQL result (see HTTP_STATUS): 400 for a code without one of its own. */
export const httpStatusOf = (code: ErrorCode): number => HTTP_STATUS[code] ?? 400;

/**
 * An expected failure a client must handle: reaches the client unmasked with a stable
 * `extensions.code` (see @mailboat/schema ErrorCode) and, when the code has one, its HTTP
 * status (HTTP_STATUS), with `headers` for the HTTP answer.
 */
export class AppError extends GraphQLError {
  constructor(code: ErrorCode, message: string, extra: Record<string, unknown> = {}, headers?: Record<string, string>) {
    const status = HTTP_STATUS[code];
    const http = status === undefined ? undefined : { status, ...(headers ? { headers } : {}) };
    super(message, { extensions: { code, ...extra, ...(http ? { http } : {}) } });
  }
  get code(): ErrorCode {
    return this.extensions.code as ErrorCode;
  }
  /** The headers its HTTP answer carries (Retry-After for RATE_LIMITED). */
  get headers(): Record<string, string> {
    return (this.extensions.http as { headers?: Record<string, string> } | undefined)?.headers ?? {};
  }
}

export const badInput = (field: string, message: string) => new AppError(ErrorCode.BAD_USER_INPUT, message, { field });
export const notFound = (what: string) => new AppError(ErrorCode.NOT_FOUND, `${what} not found`);
export const forbidden = (message: string) => new AppError(ErrorCode.FORBIDDEN, message);
export const unauthenticated = (message = 'Sign in to do this') => new AppError(ErrorCode.UNAUTHENTICATED, message);
/** RATE_LIMITED: `extensions.retryAfterSeconds` and the Retry-After header say when to try again. */
export const rateLimited = (message: string, retryAfterSeconds: number) =>
  new AppError(ErrorCode.RATE_LIMITED, message, { retryAfterSeconds }, { 'retry-after': String(retryAfterSeconds) });

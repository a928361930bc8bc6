import { ErrorCode } from '@mailboat/schema';
import { type AppError, httpStatusOf } from '../errors.js';
import { requestIdOf } from './request-ids.js';

/**
 * An error response outside GraphQL execution, in the GraphQL errors shape clients already
 * parse, with the status of its code (errors.ts httpStatusOf).
 */
export function jsonError(
  code: ErrorCode,
  message: string,
  headers: Record<string, string> = {},
  extensions: Record<string, unknown> = {},
): Response {
  return new Response(JSON.stringify({ errors: [{ message, extensions: { ...extensions, code } }] }), {
    status: httpStatusOf(code),
    headers: { 'content-type': 'application/json; charset=utf-8', ...headers },
  });
}

/**
 * The answer to an AppError outside GraphQL execution (the REST endpoints): its code's status,
 * the headers it carries (Retry-After for RATE_LIMITED) and then `headers`, and its `field`
 * when it names one.
 */
export function appErrorResponse(error: AppError, headers: Record<string, string> = {}): Response {
  const field = error.extensions.field;
  return jsonError(error.code, error.message, { ...error.headers, ...headers }, field ? { field } : {});
}

/**
 * The answer to a failure nobody planned for: 500 INTERNAL_SERVER_ERROR with the request id
 * and nothing else (no message, stack or path reaches the client); the error itself goes to
 * the server's log under that id.
 */
export function internalError(request: Request, error: unknown): Response {
  const requestId = requestIdOf(request);
  console.error(`Request ${requestId} (${request.method} ${new URL(request.url).pathname}) failed:`, error);
  const code = ErrorCode.INTERNAL_SERVER_ERROR;
  return new Response(JSON.stringify({ errors: [{ message: 'Unexpected error.', extensions: { code, requestId } }] }), {
    status: httpStatusOf(code),
    headers: { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' },
  });
}

import { ErrorCode } from '@mailboat/schema';
import { requestIdOf } from './request-ids.js';

/** An error response outside GraphQL execution, in the GraphQL errors shape clients already parse. */
export function jsonError(
  status: number,
  code: ErrorCode,
  message: string,
  headers: Record<string, string> = {},
  extensions: Record<string, unknown> = {},
): Response {
  return new Response(JSON.stringify({ errors: [{ message, extensions: { ...extensions, code } }] }), {
    status,
    headers: { 'content-type': 'application/json; charset=utf-8', ...headers },
  });
}

/**
 * The answer to a failure nobody planned for: 500 INTERNAL_SERVER_ERROR with the request id
 * and nothing else (no message, stack or path reaches the client); the error itself goes to
 * the server's log under that id.
 */
export function internalError(request: Request, error: unknown): Response {
  const requestId = requestIdOf(request);
  console.error(`Request ${requestId} (${request.method} ${new URL(request.url).pathname}) failed:`, error);
  return new Response(
    JSON.stringify({ errors: [{ message: 'Unexpected error.', extensions: { code: ErrorCode.INTERNAL_SERVER_ERROR, requestId } }] }),
    {
      status: 500,
      headers: { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' },
    },
  );
}

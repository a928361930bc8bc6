import type { ErrorCode } from '@mailboat/schema';

/** An error response outside GraphQL execution, in the GraphQL errors shape clients already parse. */
export function jsonError(status: number, code: ErrorCode, message: string, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify({ errors: [{ message, extensions: { code } }] }), {
    status,
    headers: { 'content-type': 'application/json; charset=utf-8', ...headers },
  });
}

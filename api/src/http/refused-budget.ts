import { ErrorCode, requestErrorCodes } from '@mailboat/schema';
import type { ExecutionResult } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import type { AppDeps } from '../context.js';
import { jsonError } from './json-error.js';
import { requestFacts } from './request-facts.js';

/**
 * Codes of requests that were refused because of what the client sent, or sent again while
 * told to wait (RATE_LIMITED); not races like NOT_FOUND, nor TOKEN_EXPIRED, which clients
 * meet in normal use.
 */
const REFUSED_CODES = new Set<string>([
  ...requestErrorCodes,
  ErrorCode.BAD_USER_INPUT,
  ErrorCode.UNAUTHENTICATED,
  ErrorCode.DEVICE_REVOKED,
  ErrorCode.FORBIDDEN,
  ErrorCode.INVALID_CREDENTIALS,
  ErrorCode.REFRESH_TOKEN_INVALID,
  ErrorCode.CROSS_SITE_REQUEST,
  ErrorCode.QUERY_TOO_DEEP,
  ErrorCode.TOO_MANY_ALIASES,
  ErrorCode.TOO_MANY_DIRECTIVES,
  ErrorCode.QUERY_TOO_COMPLEX,
  ErrorCode.RATE_LIMITED,
]);
/** HTTP statuses of refusals outside GraphQL results (REST, refresh, and what is refused before parsing). */
const REFUSED_STATUSES = new Set([400, 401, 403, 405, 413, 415]);

const isRefused = (result: unknown): boolean =>
  ((result as ExecutionResult | undefined)?.errors ?? []).some((e) => REFUSED_CODES.has(String(e.extensions?.code)));

/**
 * A budget of refused requests per client address (REFUSED_REQUESTS_PER_MINUTE): every
 * request refused for what it sent (bad input, a bad or revoked token, a query over a limit,
 * a body too large or not JSON) counts against its address, and an address that used it up
 * is answered 429 RATE_LIMITED before anything of its requests is read or parsed, until the
 * minute is over. A flood of bad requests then costs almost nothing to refuse, and a client
 * that behaves is never near the budget. Counted per process (rate-limits.ts).
 */
export function refusedBudget(deps: Pick<AppDeps, 'rateLimits' | 'config'>, graphqlEndpoint: string): Plugin {
  const addressOf = (request: Request, serverContext: unknown) => requestFacts(request, serverContext, deps.config.trustProxy).clientIp;
  return {
    async onRequest({ request, serverContext, endResponse }) {
      const wait = await deps.rateLimits.refusedWait(addressOf(request, serverContext));
      if (wait === 0) return;
      endResponse(
        jsonError(
          ErrorCode.RATE_LIMITED,
          `Too many refused requests from this address: try again in ${wait} s`,
          { 'retry-after': String(wait) },
          { retryAfterSeconds: wait },
        ),
      );
    },
    onResultProcess({ request, result, serverContext }) {
      if (isRefused(result)) void deps.rateLimits.countRefused(addressOf(request, serverContext));
    },
    onResponse({ request, response, serverContext }) {
      const graphql = new URL(request.url).pathname === graphqlEndpoint;
      // GraphQL results are counted above; here what never became one (a body refused unread).
      const counts = graphql ? response.status === 413 || response.status === 415 : REFUSED_STATUSES.has(response.status);
      if (counts) void deps.rateLimits.countRefused(addressOf(request, serverContext));
    },
  };
}

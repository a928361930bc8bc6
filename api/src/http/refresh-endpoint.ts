import { ErrorCode } from '@mailboat/schema';
import type { Plugin } from 'graphql-yoga';
import { refreshSession } from '../auth/refresh.js';
import { clearedRefreshCookie, REFRESH_PATH, readRefreshCookie, refreshCookie } from '../auth/refresh-cookie.js';
import type { AppDeps } from '../context.js';
import { AppError, httpStatusOf } from '../errors.js';
import { encodeGlobalId } from '../global-ids.js';
import { appErrorResponse, internalError, jsonError } from './json-error.js';
import { requestFacts } from './request-facts.js';

/**
 * POST /auth/refresh — rotates a refresh token into a new access token and refresh token.
 * Browsers send nothing but the HttpOnly cookie; other clients send {"refreshToken": "..."}
 * as JSON and get the new refresh token in the body. The answer names the session's user and
 * device (`userId`, `deviceId`), so a client can check it is the account it holds (login
 * CSRF). A cookie-authenticated request must be same-origin (Sec-Fetch-Site, else Origin), or
 * it gets 403 CROSS_SITE_REQUEST.
 */
export function refreshEndpoint(deps: AppDeps): Plugin {
  return {
    async onRequest({ request, url, endResponse, serverContext }) {
      if (url.pathname !== REFRESH_PATH) return;
      if (request.method !== 'POST') {
        endResponse(new Response(null, { status: 405, headers: { allow: 'POST' } }));
        return;
      }
      const facts = requestFacts(request, serverContext, deps.config.trustProxy);
      const fromBody = await bodyToken(request);
      const fromCookie = fromBody === undefined ? readRefreshCookie(request) : undefined;
      if (fromCookie !== undefined && !isSameOrigin(request, facts.origin)) {
        endResponse(jsonError(ErrorCode.CROSS_SITE_REQUEST, 'Refresh with a cookie is allowed only from this site'));
        return;
      }
      const presented = fromBody ?? fromCookie;
      if (presented === undefined) {
        endResponse(jsonError(ErrorCode.REFRESH_TOKEN_INVALID, 'No refresh token: send the cookie or {"refreshToken": "..."}'));
        return;
      }
      try {
        await deps.rateLimits.consumeAuthAttempt(facts.clientIp);
        const tokens = await refreshSession(deps, presented);
        const headers = new Headers({ 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' });
        if (fromCookie !== undefined)
          headers.append('set-cookie', refreshCookie(tokens.refreshToken, tokens.refreshTokenExpiresAt, facts.secure));
        const body = {
          userId: encodeGlobalId('User', tokens.userId),
          deviceId: encodeGlobalId('Device', tokens.deviceId),
          accessToken: tokens.accessToken,
          accessTokenExpiresAt: tokens.accessTokenExpiresAt.toISOString(),
          refreshToken: fromCookie === undefined ? tokens.refreshToken : null,
          refreshTokenExpiresAt: tokens.refreshTokenExpiresAt.toISOString(),
        };
        endResponse(new Response(JSON.stringify(body), { status: 200, headers }));
      } catch (e) {
        if (!(e instanceof AppError)) {
          endResponse(internalError(request, e));
          return;
        }
        // A refused refresh token is of no more use: a browser forgets its cookie.
        const forget = fromCookie !== undefined && httpStatusOf(e.code) === 401;
        endResponse(appErrorResponse(e, forget ? { 'set-cookie': clearedRefreshCookie(facts.secure) } : {}));
      }
    },
  };
}

/** The refreshToken of a JSON body, or undefined when there is none. */
async function bodyToken(request: Request): Promise<string | undefined> {
  if (!request.headers.get('content-type')?.includes('application/json')) return undefined;
  const body: unknown = await request.json().catch(() => undefined);
  const token = (body as { refreshToken?: unknown } | undefined)?.refreshToken;
  return typeof token === 'string' && token.length > 0 ? token : undefined;
}

function isSameOrigin(request: Request, origin: string): boolean {
  const site = request.headers.get('sec-fetch-site');
  if (site !== null) return site === 'same-origin';
  return request.headers.get('origin') === origin;
}

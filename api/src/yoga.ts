import { createYoga, useReadinessCheck, type YogaInitialContext, type YogaServerInstance } from 'graphql-yoga';
import { sql } from 'kysely';
import { authenticate } from './auth/authenticate.js';
import type { AppDeps } from './context.js';
import type { Context } from './graphql/context.js';
import { eventScopeOf } from './graphql/events.js';
import { createLoaders } from './graphql/loaders.js';
import { buildSchema } from './graphql/schema.js';
import { attachmentEndpoints } from './http/attachment-endpoints.js';
import { bodyLimit } from './http/body-limit.js';
import { compression } from './http/compression.js';
import { corsFor } from './http/cors.js';
import { eventStreamFrames } from './http/event-stream-frames.js';
import { graphiqlPage } from './http/graphiql-page.js';
import { jsonOnlyGraphql } from './http/json-only-graphql.js';
import { maskUnexpected } from './http/mask-errors.js';
import { introspection, queryLimits } from './http/query-limits.js';
import { refreshEndpoint } from './http/refresh-endpoint.js';
import { refusedBudget } from './http/refused-budget.js';
import { requestFacts } from './http/request-facts.js';
import { requestIds } from './http/request-ids.js';
import { securityHeaders } from './http/security-headers.js';
import { sharedEventExecution } from './http/shared-event-execution.js';
import { specStatusCodes } from './http/spec-status-codes.js';
import { staticApp } from './http/static-app.js';
import { syncMessagesEndpoint } from './http/sync-messages-endpoint.js';
import { writeRateLimit } from './http/write-rate-limit.js';

type RequestContext = Omit<Context, keyof YogaInitialContext>;

export type MailboatYoga = YogaServerInstance<Record<string, unknown>, RequestContext>;

/**
 * Builds Mailboat's HTTP app (GraphQL at /graphql with SSE subscriptions, POST /auth/refresh,
 * /health, /ready). It never listens: main.ts does, tests call `yoga.fetch`.
 */
/** The origin browsers PUT attachment parts to, when it is not the API's own (an S3 store reached directly). */
function uploadOriginOf(config: AppDeps['config']): string | undefined {
  const store = config.attachmentStore;
  if (store.kind !== 's3') return undefined;
  const endpoint = store.publicEndpoint ?? store.endpoint;
  return endpoint ? new URL(endpoint).origin : `https://${store.bucket}.s3.${store.region}.amazonaws.com`;
}

export function createMailboatYoga(deps: AppDeps): MailboatYoga {
  const pendingCookies = new WeakMap<Request, string[]>();
  return createYoga<Record<string, unknown>, RequestContext>({
    schema: buildSchema(),
    graphqlEndpoint: '/graphql',
    landingPage: false,
    cors: corsFor(deps.config.corsOrigins),
    graphiql: false, // served by graphiqlPage, from this server's own files
    maskedErrors: { isDev: false, maskError: maskUnexpected },
    logging: deps.config.env === 'test' ? 'error' : 'info',
    context: async ({ request, ...serverContext }): Promise<RequestContext> => {
      const facts = requestFacts(request, serverContext, deps.config.trustProxy);
      const cookies: string[] = [];
      pendingCookies.set(request, cookies);
      return {
        ...deps,
        viewer: await authenticate(deps, request.headers.get('authorization')),
        loaders: createLoaders(deps),
        clientIp: facts.clientIp,
        secure: facts.secure,
        setCookie: (cookie: string) => {
          cookies.push(cookie);
        },
      };
    },
    plugins: [
      requestIds(),
      securityHeaders(deps.config.hstsMaxAgeSeconds),
      refusedBudget(deps, '/graphql'),
      jsonOnlyGraphql('/graphql'),
      attachmentEndpoints(deps),
      bodyLimit(deps.config.maxBodyBytes),
      refreshEndpoint(deps),
      ...(deps.config.graphiql ? [graphiqlPage('/graphql')] : []),
      syncMessagesEndpoint(deps),
      staticApp(deps.config.webDist, uploadOriginOf(deps.config)),
      queryLimits(deps.config),
      introspection(deps.config.introspection),
      writeRateLimit(),
      specStatusCodes(),
      useReadinessCheck({
        endpoint: '/ready',
        check: async () => {
          if (!deps.eventsFlowing()) return false;
          await sql`select 1`.execute(deps.db);
        },
      }),
      {
        onResponse({ request, response }) {
          for (const cookie of pendingCookies.get(request) ?? []) response.headers.append('set-cookie', cookie);
        },
      },
      sharedEventExecution(eventScopeOf),
      eventStreamFrames(),
      compression(),
    ],
  });
}

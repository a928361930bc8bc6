import { ErrorCode } from '@mailboat/schema';
import { type ExecutionResult, GraphQLError } from 'graphql';
import {
  createYoga,
  maskError,
  type Plugin,
  processRegularResult,
  useReadinessCheck,
  type YogaInitialContext,
  type YogaServerInstance,
} from 'graphql-yoga';
import { sql } from 'kysely';
import { authenticate } from './auth/authenticate.js';
import type { AppDeps, Context } from './context.js';
import { buildSchema } from './graphql/schema.js';
import { bodyLimit } from './http/body-limit.js';
import { queryLimits } from './http/query-limits.js';
import { refreshEndpoint } from './http/refresh-endpoint.js';
import { requestFacts } from './http/request-facts.js';
import { syncMessagesEndpoint } from './http/sync-messages-endpoint.js';
import { writeRateLimit } from './http/write-rate-limit.js';

type RequestContext = Omit<Context, keyof YogaInitialContext>;

export type MailboatYoga = YogaServerInstance<Record<string, unknown>, RequestContext>;

/**
 * Builds Mailboat's HTTP app (GraphQL at /graphql with SSE subscriptions, POST /auth/refresh,
 * /health, /ready). It never listens: main.ts does, tests call `yoga.fetch`.
 */
export function createMailboatYoga(deps: AppDeps): MailboatYoga {
  const pendingCookies = new WeakMap<Request, string[]>();
  return createYoga<Record<string, unknown>, RequestContext>({
    schema: buildSchema(),
    graphqlEndpoint: '/graphql',
    landingPage: false,
    graphiql: deps.config.graphiql ? { title: 'Mailboat GraphQL', subscriptionsProtocol: 'SSE' } : false,
    maskedErrors: { isDev: false, maskError: maskUnexpected },
    logging: deps.config.env === 'test' ? 'error' : 'info',
    context: async ({ request, ...serverContext }): Promise<RequestContext> => {
      const facts = requestFacts(request, serverContext, deps.config.trustProxy);
      const cookies: string[] = [];
      pendingCookies.set(request, cookies);
      return {
        ...deps,
        viewer: await authenticate(deps, request.headers.get('authorization')),
        clientIp: facts.clientIp,
        secure: facts.secure,
        setCookie: (cookie: string) => {
          cookies.push(cookie);
        },
      };
    },
    plugins: [
      bodyLimit(deps.config.maxBodyBytes),
      refreshEndpoint(deps),
      syncMessagesEndpoint(deps),
      queryLimits(deps.config),
      writeRateLimit(),
      specStatusCodes(),
      useReadinessCheck({
        endpoint: '/ready',
        check: async () => {
          await sql`select 1`.execute(deps.db);
        },
      }),
      {
        onResponse({ request, response }) {
          for (const cookie of pendingCookies.get(request) ?? []) response.headers.append('set-cookie', cookie);
        },
      },
    ],
  });
}

const contractCodes = new Set<unknown>(Object.values(ErrorCode));

type ErrorExtensions = { http?: { status?: number; headers?: Record<string, string> }; [key: string]: unknown };

/**
 * HTTP status codes as the GraphQL-over-HTTP spec wants them for our own errors (those with
 * a contract code, and masked unexpected ones): a response with a `data` entry is 200 in
 * both media types (a field error is a partial result); without one, its status (401, 429,
 * 500...) is used for application/graphql-response+json, while application/json gets 200.
 * Yoga's own request errors (unparsable JSON, bad parameters) keep their 4xx; so do SSE
 * (e.g. 401 DEVICE_REVOKED on subscribe) and multipart responses.
 */
function specStatusCodes(): Plugin {
  const adjust = (result: ExecutionResult): ExecutionResult => {
    if (!result.errors?.length) return result;
    const executed = 'data' in result;
    const errors = result.errors.map((error) => {
      const { http, ...rest } = error.extensions as ErrorExtensions;
      const unexpected = rest.unexpected === true;
      if (!unexpected && !contractCodes.has(rest.code)) return error;
      const status = http?.status ?? (unexpected ? 500 : undefined);
      const adjusted = executed ? { headers: http?.headers } : { ...http, status, spec: true };
      return new GraphQLError(error.message, {
        nodes: error.nodes,
        source: error.source,
        positions: error.positions,
        path: error.path,
        originalError: error.originalError,
        extensions: { ...rest, http: adjusted },
      });
    });
    return { ...result, errors };
  };
  return {
    onResultProcess({ result, setResult, resultProcessor }) {
      if (resultProcessor !== processRegularResult) return; // SSE and multipart keep yoga's statuses
      if (Array.isArray(result)) setResult(result.map(adjust));
      else if (!(Symbol.asyncIterator in result)) setResult(adjust(result as ExecutionResult));
    },
  };
}

/**
 * Yoga's masking, except that Pothos' argument validation errors (`first: -1`, `last` without
 * `before`) reach clients as BAD_USER_INPUT instead of unmasked and without a code.
 */
const maskUnexpected: typeof maskError = (error, message, isDev) => {
  const original = error instanceof GraphQLError ? error.originalError : undefined;
  if (error instanceof GraphQLError && original?.name === 'PothosValidationError') {
    const { nodes, source, positions, path } = error;
    return new GraphQLError(original.message, { nodes, source, positions, path, extensions: { code: ErrorCode.BAD_USER_INPUT } });
  }
  return maskError(error, message, isDev);
};

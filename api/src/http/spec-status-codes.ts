import { ErrorCode, requestErrorCodes } from '@mailboat/schema';
import { type ExecutionResult, GraphQLError } from 'graphql';
import { type Plugin, processRegularResult } from 'graphql-yoga';

/** Codes Mailboat's own code gives (yoga's request errors keep the statuses yoga gave them). */
const contractCodes = new Set<unknown>(Object.values(ErrorCode).filter((code) => !requestErrorCodes.includes(code)));

type ErrorExtensions = { http?: { status?: number; headers?: Record<string, string> }; [key: string]: unknown };

/**
 * HTTP status codes as the GraphQL-over-HTTP spec wants them for our own errors (those with
 * a contract code, and masked unexpected ones): a response with a `data` entry is 200 in
 * both media types (a field error is a partial result); without one, its status (401, 429,
 * 500...) is used for application/graphql-response+json, while application/json gets 200.
 * Yoga's own request errors (unparsable JSON, bad parameters) keep their 4xx; so do SSE
 * (e.g. 401 DEVICE_REVOKED on subscribe) and multipart responses.
 */
export function specStatusCodes(): Plugin {
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

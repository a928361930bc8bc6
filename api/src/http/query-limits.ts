import { EnvelopArmorPlugin } from '@escape.tech/graphql-armor';
import { ErrorCode } from '@mailboat/schema';
import { GraphQLError, type ValidationContext } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import type { Config } from '../config.js';

/** Re-reports an armor rejection with a stable code instead of its generic syntax error. */
const reportAs = (code: ErrorCode) => (ctx: ValidationContext | null, error: GraphQLError) => {
  ctx?.reportError(new GraphQLError(error.message.replace(/^Syntax Error: /, ''), { extensions: { code } }));
};

/**
 * Query depth, alias, directive, token and cost limits (graphql-armor), each rejected during
 * validation with its own `extensions.code`; field suggestions are hidden from clients.
 */
export function queryLimits(config: Config): Plugin {
  const callbacks = (code: ErrorCode) => ({ propagateOnRejection: false, onReject: [reportAs(code)], exposeLimits: true });
  return EnvelopArmorPlugin({
    maxDepth: { n: config.maxQueryDepth, flattenFragments: true, ...callbacks(ErrorCode.QUERY_TOO_DEEP) },
    maxAliases: { n: config.maxAliases, ...callbacks(ErrorCode.TOO_MANY_ALIASES) },
    maxDirectives: { n: 50, ...callbacks(ErrorCode.TOO_MANY_DIRECTIVES) },
    costLimit: { maxCost: config.maxQueryCost, ...callbacks(ErrorCode.QUERY_TOO_COMPLEX) },
    maxTokens: { n: 5000 },
    blockFieldSuggestion: { enabled: true },
  }) as Plugin;
}

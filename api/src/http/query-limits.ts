import { EnvelopArmorPlugin } from '@escape.tech/graphql-armor';
import { ErrorCode } from '@mailboat/schema';
import { GraphQLError, NoSchemaIntrospectionCustomRule, type ValidationContext } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import type { Config } from '../config.js';

/** Re-reports an armor rejection with a stable code instead of its generic syntax error. */
const reportAs = (code: ErrorCode) => (ctx: ValidationContext | null, error: GraphQLError) => {
  ctx?.reportError(new GraphQLError(error.message.replace(/^Syntax Error: /, ''), { extensions: { code } }));
};

/**
 * Query depth, alias, directive, token and cost limits (graphql-armor), each rejected during
 * validation with its own `extensions.code`; field suggestions are hidden from clients. Every
 * alias counts, `__typename` ones too (armor lets those through by default, and a thousand of
 * them are a thousand resolver calls).
 */
export function queryLimits(config: Config): Plugin {
  const callbacks = (code: ErrorCode) => ({ propagateOnRejection: false, onReject: [reportAs(code)], exposeLimits: true });
  return EnvelopArmorPlugin({
    maxDepth: { n: config.maxQueryDepth, flattenFragments: true, ...callbacks(ErrorCode.QUERY_TOO_DEEP) },
    maxAliases: { n: config.maxAliases, allowList: [], ...callbacks(ErrorCode.TOO_MANY_ALIASES) },
    maxDirectives: { n: 50, ...callbacks(ErrorCode.TOO_MANY_DIRECTIVES) },
    costLimit: { maxCost: config.maxQueryCost, ...callbacks(ErrorCode.QUERY_TOO_COMPLEX) },
    maxTokens: { n: 5000 },
    blockFieldSuggestion: { enabled: true },
  }) as Plugin;
}

/**
 * Refuses `__schema` and `__type` queries (GRAPHQL_VALIDATION_FAILED) when introspection is
 * off: the default with NODE_ENV=production, where the committed SDL (schema/schema.graphql)
 * is what frontend teams build against. `__typename` stays allowed.
 */
export function introspection(enabled: boolean): Plugin {
  return {
    onValidate({ addValidationRule }) {
      if (!enabled) addValidationRule(NoSchemaIntrospectionCustomRule);
    },
  };
}

import { EnvelopArmorPlugin } from '@escape.tech/graphql-armor';
import { ErrorCode } from '@mailboat/schema';
import { type ExecutionArgs, type ExecutionResult, GraphQLError, NoSchemaIntrospectionCustomRule, type ValidationContext } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import type { Config } from '../config.js';
import { AppError } from '../errors.js';
import { queryCost } from './query-cost.js';

/** Re-reports an armor rejection with a stable code instead of its generic syntax error. */
const reportAs = (code: ErrorCode) => (ctx: ValidationContext | null, error: GraphQLError) => {
  ctx?.reportError(new GraphQLError(error.message.replace(/^Syntax Error: /, ''), { extensions: { code } }));
};

/**
 * Query depth, alias, directive and token limits (graphql-armor), each rejected during
 * validation with its own `extensions.code`; field suggestions are hidden from clients. Every
 * alias counts, `__typename` ones too (armor lets those through by default, and a thousand of
 * them are a thousand resolver calls). Then the list caps and the cost limit (costLimit).
 */
export function queryLimits(config: Config): Plugin {
  const callbacks = (code: ErrorCode) => ({ propagateOnRejection: false, onReject: [reportAs(code)], exposeLimits: true });
  const armor = EnvelopArmorPlugin({
    maxDepth: { n: config.maxQueryDepth, flattenFragments: true, ...callbacks(ErrorCode.QUERY_TOO_DEEP) },
    maxAliases: { n: config.maxAliases, allowList: [], ...callbacks(ErrorCode.TOO_MANY_ALIASES) },
    maxDirectives: { n: 50, ...callbacks(ErrorCode.TOO_MANY_DIRECTIVES) },
    costLimit: { enabled: false },
    maxTokens: { n: 5000 },
    blockFieldSuggestion: { enabled: true },
  }) as Plugin;
  return { onPluginInit: ({ addPlugin }) => [armor, costLimit(config.maxQueryCost)].forEach(addPlugin) };
}

/**
 * Refuses, before anything runs, an operation (query, mutation or subscription) whose cost
 * (query-cost.ts) is over `maxCost` with QUERY_TOO_COMPLEX, and one with a page size or list
 * argument over its cap with BAD_USER_INPUT naming the argument; both with HTTP 400. Runs
 * at execution rather than validation because the sizes may come from variables, and yoga
 * caches validation per document.
 */
export function costLimit(maxCost: number): Plugin {
  const check = ({ args, setResultAndStopExecution }: { args: ExecutionArgs; setResultAndStopExecution: (r: ExecutionResult) => void }) => {
    try {
      const cost = queryCost(args.schema, args.document, args.operationName, (args.variableValues ?? {}) as Record<string, unknown>);
      if (cost > maxCost) {
        const message = `Query cost ${Math.ceil(cost)} is over the limit of ${maxCost}: ask for smaller pages or fewer nested lists`;
        setResultAndStopExecution({
          errors: [new AppError(ErrorCode.QUERY_TOO_COMPLEX, message, { cost: Math.ceil(cost), maxCost })],
        });
      }
    } catch (e) {
      if (!(e instanceof AppError)) throw e;
      setResultAndStopExecution({ errors: [e] });
    }
  };
  return { onExecute: check, onSubscribe: check };
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

import type { Plugin } from 'graphql-yoga';
import type { AppDeps } from '../context.js';
import { AppError } from '../errors.js';
import type { Viewer } from '../viewer.js';
import { writeWeight } from './write-weight.js';

/** What this plugin reads of the request's GraphQL context (graphql/context.ts). */
type WriteContext = Pick<AppDeps, 'rateLimits'> & { viewer: Viewer | null };

/**
 * Charges each signed-in mutation request its weight (write-weight.ts: one per mutation
 * field, one per pushed update) against its user's write budget; a request that does not fit
 * in what is left executes nothing.
 */
export function writeRateLimit(): Plugin<WriteContext> {
  return {
    async onExecute({ args, setResultAndStopExecution }) {
      const ctx = args.contextValue as WriteContext;
      if (!ctx.viewer) return;
      const weight = writeWeight(args.document, args.operationName, (args.variableValues ?? {}) as Record<string, unknown>);
      if (weight === 0) return;
      try {
        await ctx.rateLimits.consumeWrite(ctx.viewer.userId, weight);
      } catch (e) {
        if (!(e instanceof AppError)) throw e;
        setResultAndStopExecution({ errors: [e] });
      }
    },
  };
}

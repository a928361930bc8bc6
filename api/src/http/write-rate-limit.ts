import { getOperationAST } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import type { Context } from '../context.js';
import { AppError } from '../errors.js';

/** Counts each signed-in mutation request against its user's write limit; over it, nothing executes. */
export function writeRateLimit(): Plugin<Context> {
  return {
    async onExecute({ args, setResultAndStopExecution }) {
      const ctx = args.contextValue as Context;
      if (!ctx.viewer || getOperationAST(args.document, args.operationName)?.operation !== 'mutation') return;
      try {
        await ctx.rateLimits.consumeWrite(ctx.viewer.userId);
      } catch (e) {
        if (!(e instanceof AppError)) throw e;
        setResultAndStopExecution({ errors: [e] });
      }
    },
  };
}

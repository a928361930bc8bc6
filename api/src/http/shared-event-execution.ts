import { createSourceEventStream, type DocumentNode, type ExecutionArgs, type ExecutionResult, execute, type GraphQLSchema } from 'graphql';
import { isAsyncIterable, type Plugin } from 'graphql-yoga';

/**
 * Which results of one event may be shared: streams whose subscription documents, variables
 * and operation names are the same get one execution per event and scope. Return '' when the
 * event's fields resolve the same for every viewer, or a key naming the viewer (user, device)
 * the resolution depends on.
 */
export type EventScope = (event: unknown, contextValue: unknown) => string;

/** Builds the EventScope of one subscription document (once per document: it may inspect what the document selects). */
export type ScopeOf = (document: DocumentNode, schema: GraphQLSchema) => EventScope;

type MaybePromise<T> = T | Promise<T>;

/** What one plugin remembers: results of one event (by identity) by execution key, dropped with the event; ids and scopes of documents. */
type Memory = {
  resultsOf: WeakMap<object, Map<string, MaybePromise<ExecutionResult>>>;
  documentIds: WeakMap<DocumentNode, number>;
  scopes: WeakMap<DocumentNode, EventScope>;
  nextDocumentId: number;
};

/**
 * Executes each subscription event once per distinct (document, operation, variables, scope)
 * instead of once per stream: at 1,000 streams of the same `events` subscription, one event
 * costs one execution, and every stream gets the SAME result object (so its serialization can
 * be shared too, see http/event-stream-frames.ts).
 *
 * Contract: a stream receives exactly what its own execution would have produced, provided
 * the document's scope names everything in the context the event's resolvers read. When the subscription
 * cannot start (bad variables, a resolver that throws), the default subscribe runs instead,
 * so the error is reported exactly as before; the field's subscribe resolver then runs a
 * second time, which is harmless only because it has no effect before returning its stream.
 */
export function sharedEventExecution(scopeOf: ScopeOf): Plugin {
  const memory: Memory = { resultsOf: new WeakMap(), documentIds: new WeakMap(), scopes: new WeakMap(), nextDocumentId: 0 };
  return {
    onSubscribe({ subscribeFn, setSubscribeFn }) {
      setSubscribeFn(async (args) => {
        const source = await createSourceEventStream(args as ExecutionArgs);
        if (!isAsyncIterable(source)) return subscribeFn(args);
        const base = executionKey(memory, args as ExecutionArgs);
        const scope = scopeFor(memory, scopeOf, args as ExecutionArgs);
        return mapEvents(source[Symbol.asyncIterator](), (event) =>
          shared(memory, event, `${base}\u0000${scope(event, args.contextValue)}`, () =>
            execute({ ...(args as ExecutionArgs), rootValue: event }),
          ),
        );
      });
    },
  };
}

function executionKey(memory: Memory, args: ExecutionArgs): string {
  let id = memory.documentIds.get(args.document);
  if (id === undefined) {
    id = memory.nextDocumentId++;
    memory.documentIds.set(args.document, id);
  }
  return `${id}\u0000${args.operationName ?? ''}\u0000${JSON.stringify(args.variableValues ?? {})}`;
}

function scopeFor(memory: Memory, scopeOf: ScopeOf, args: ExecutionArgs): EventScope {
  let scope = memory.scopes.get(args.document);
  if (scope === undefined) {
    scope = scopeOf(args.document, args.schema);
    memory.scopes.set(args.document, scope);
  }
  return scope;
}

function shared(memory: Memory, event: unknown, key: string, run: () => MaybePromise<ExecutionResult>): MaybePromise<ExecutionResult> {
  if (typeof event !== 'object' || event === null) return run();
  let results = memory.resultsOf.get(event);
  if (!results) {
    results = new Map();
    memory.resultsOf.set(event, results);
  }
  let result = results.get(key);
  if (result === undefined) {
    result = run();
    results.set(key, result);
  }
  return result;
}

/** `source` with each value mapped; ending or throwing into it passes through. */
function mapEvents<T, R>(source: AsyncIterator<T>, map: (value: T) => MaybePromise<R>): AsyncIterableIterator<R> {
  return {
    async next() {
      const step = await source.next();
      return step.done ? { value: undefined, done: true } : { value: await map(step.value), done: false };
    },
    async return() {
      await source.return?.();
      return { value: undefined, done: true };
    },
    async throw(error: unknown) {
      if (source.throw) await source.throw(error);
      throw error;
    },
    [Symbol.asyncIterator]() {
      return this;
    },
  };
}

import type { ExecutionResult } from 'graphql';
import { type FetchAPI, isAsyncIterable, type Plugin } from 'graphql-yoga';

/** How often an idle stream sends a comment line, so proxies and browsers keep it open. */
const PING_MS = 12_000;

const encoder = new TextEncoder();
const PING = encoder.encode(':\n\n');
const COMPLETE = encoder.encode('event: complete\ndata:\n\n');

/**
 * Writes subscription streams as server-sent events (the graphql-sse "distinct connections"
 * format yoga writes: `event: next` frames, then `event: complete`), encoding each result
 * once however many streams send it, and writing each frame as ONE chunk. Yoga's own writer
 * serializes per stream and writes three chunks per event; at 1,000 streams that was most of
 * the cost of live fan-out.
 *
 * Only subscriptions whose result is a stream and that yoga would answer as SSE are taken
 * over; everything else (errors before the stream started, other media types) keeps yoga's
 * own handling.
 */
export function eventStreamFrames(): Plugin {
  const subscriptions = new WeakSet<Request>();
  /** Encoded `next` frames of results that carry no errors, by result object (shared results share their frame). */
  const frames: Frames = new WeakMap();
  return {
    onSubscribe({ args }) {
      const request = (args.contextValue as { request?: Request }).request;
      if (request) subscriptions.add(request);
    },
    onResultProcess({ request, result, resultProcessor, setResultProcessor }) {
      // For a subscription, yoga's only processor for a stream is SSE: set means it accepted it.
      if (!resultProcessor || !subscriptions.has(request) || !isAsyncIterable(result)) return;
      setResultProcessor(
        (stream, fetchAPI) => eventStream(frames, stream as AsyncIterable<ExecutionResult>, fetchAPI),
        'text/event-stream',
      );
    },
  };
}

/** The SSE response for `results`, built with the server's own fetch API classes (as yoga's are). */
function eventStream(frames: Frames, results: AsyncIterable<ExecutionResult>, fetchAPI: FetchAPI): Response {
  const iterator = results[Symbol.asyncIterator]();
  let ping: ReturnType<typeof setInterval> | undefined;
  const body = new fetchAPI.ReadableStream<Uint8Array>({
    start(controller) {
      controller.enqueue(PING); // some browsers hold the response until the first bytes arrive
      ping = setInterval(() => {
        if (controller.desiredSize === null) clearInterval(ping);
        else if (controller.desiredSize > 0) controller.enqueue(PING);
      }, PING_MS);
    },
    async pull(controller) {
      try {
        const step = await iterator.next();
        if (step.value != null) controller.enqueue(frameOf(frames, step.value));
        if (step.done) {
          clearInterval(ping);
          controller.enqueue(COMPLETE);
          controller.close();
        }
      } catch (e) {
        clearInterval(ping);
        controller.error(e);
      }
    },
    async cancel() {
      clearInterval(ping);
      await iterator.return?.();
    },
  });
  return new fetchAPI.Response(body, {
    status: 200,
    headers: { 'content-type': 'text/event-stream', connection: 'keep-alive', 'cache-control': 'no-cache', 'content-encoding': 'none' },
  });
}

type Frames = WeakMap<object, Uint8Array>;

function frameOf(frames: Frames, result: ExecutionResult): Uint8Array {
  const clean = !result.errors?.length && result.extensions === undefined;
  const cached = clean ? frames.get(result) : undefined;
  if (cached) return cached;
  const frame = encoder.encode(`event: next\ndata: ${JSON.stringify(clean ? result : withoutInternals(result))}\n\n`);
  if (clean) frames.set(result, frame);
  return frame;
}

/** The result as clients may see it: without the `http` and `unexpected` extensions yoga keeps for itself. */
function withoutInternals(result: ExecutionResult): unknown {
  const { http: _http, ...extensions } = (result.extensions ?? {}) as Record<string, unknown>;
  return {
    ...result,
    errors: result.errors?.map((error) => {
      const json = (typeof error.toJSON === 'function' ? error.toJSON() : error) as { extensions?: Record<string, unknown> };
      const { http: _h, unexpected: _u, ...own } = json.extensions ?? {};
      return { ...json, extensions: Object.keys(own).length > 0 ? own : undefined };
    }),
    extensions: Object.keys(extensions).length > 0 ? extensions : undefined,
  };
}

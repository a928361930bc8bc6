import { GraphQLError } from 'graphql';
import { createPubSub, createSchema, createYoga } from 'graphql-yoga';
import { describe, expect, it } from 'vitest';
import { eventStreamFrames } from '../src/http/event-stream-frames.js';
import { sharedEventExecution } from '../src/http/shared-event-execution.js';

type Tick = { n: number; fail?: boolean };

/** A tiny yoga app with one subscription; counts how often each field is resolved. */
function tinyApp(scope: (event: unknown, ctx: unknown) => string) {
  const pubsub = createPubSub<{ tick: [Tick] }>();
  const calls = { n: 0, viewer: 0 };
  const schema = createSchema({
    typeDefs: 'type Query { ok: Boolean } type Tick { n: Int viewer: String } type Subscription { ticks: Tick }',
    resolvers: {
      Subscription: {
        ticks: {
          subscribe: async function* () {
            for await (const tick of pubsub.subscribe('tick')) {
              if (tick.fail) throw new GraphQLError('stream ended', { extensions: { code: 'ENDED', http: { status: 503 } } });
              yield tick;
            }
          },
          resolve: (tick: Tick) => tick,
        },
      },
      Tick: {
        n: (tick: Tick) => {
          calls.n++;
          return tick.n;
        },
        viewer: (_: Tick, __: unknown, ctx: { request: Request }) => {
          calls.viewer++;
          return ctx.request.headers.get('x-viewer');
        },
      },
    },
  });
  const yoga = createYoga({
    schema,
    plugins: [sharedEventExecution(() => scope), eventStreamFrames()],
    maskedErrors: false,
    logging: false,
  });
  return { yoga, pubsub, calls };
}

/** Opens `count` SSE streams of `query`; returns their readers (raw text so far, and a wait for N frames). */
async function openStreams(yoga: ReturnType<typeof tinyApp>['yoga'], query: string, count: number) {
  const streams = [];
  for (let i = 0; i < count; i++) {
    const res = await yoga.fetch('http://localhost/graphql', {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'text/event-stream', 'x-viewer': `viewer-${i}` },
      body: JSON.stringify({ query }),
    });
    expect(res.headers.get('content-type')).toBe('text/event-stream');
    const reader = (res.body as ReadableStream<Uint8Array>).getReader();
    const stream = { text: '', done: false };
    void (async () => {
      const decoder = new TextDecoder();
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        stream.text += decoder.decode(value);
      }
      stream.done = true;
    })();
    streams.push(stream);
  }
  await new Promise((resolve) => setTimeout(resolve, 50));
  return streams;
}

const dataOf = (text: string) =>
  text
    .split('\n\n')
    .filter((frame) => frame.startsWith('event: next'))
    .map((frame) => JSON.parse(frame.slice(frame.indexOf('data: ') + 6)));

async function until(check: () => boolean) {
  for (let i = 0; i < 200 && !check(); i++) await new Promise((resolve) => setTimeout(resolve, 10));
  expect(check()).toBe(true);
}

describe('shared execution of subscription events', () => {
  it('resolves an event once for every stream of the same subscription when the scope says it may', async () => {
    const { yoga, pubsub, calls } = tinyApp(() => '');
    const streams = await openStreams(yoga, 'subscription { ticks { n } }', 5);
    pubsub.publish('tick', { n: 1 });
    pubsub.publish('tick', { n: 2 });
    await until(() => streams.every((s) => dataOf(s.text).length === 2));
    for (const s of streams) expect(dataOf(s.text)).toEqual([{ data: { ticks: { n: 1 } } }, { data: { ticks: { n: 2 } } }]);
    expect(calls.n).toBe(2);
  });

  it('resolves an event per scope: viewer-dependent fields are never shared across scopes', async () => {
    const { yoga, pubsub, calls } = tinyApp((_, ctx) => (ctx as { request: Request }).request.headers.get('x-viewer') ?? '');
    const streams = await openStreams(yoga, 'subscription { ticks { n viewer } }', 3);
    pubsub.publish('tick', { n: 7 });
    await until(() => streams.every((s) => dataOf(s.text).length === 1));
    expect(streams.map((s) => dataOf(s.text))).toEqual(streams.map((_, i) => [{ data: { ticks: { n: 7, viewer: `viewer-${i}` } } }]));
    expect(calls.viewer).toBe(3);
  });

  it('executes different documents separately', async () => {
    const { yoga, pubsub, calls } = tinyApp(() => '');
    const a = await openStreams(yoga, 'subscription { ticks { n } }', 2);
    const b = await openStreams(yoga, 'subscription Named { ticks { n viewer } }', 2);
    pubsub.publish('tick', { n: 3 });
    await until(() => [...a, ...b].every((s) => dataOf(s.text).length === 1));
    expect(dataOf(a[0]?.text ?? '')).toEqual([{ data: { ticks: { n: 3 } } }]);
    expect(dataOf(b[0]?.text ?? '')).toEqual([{ data: { ticks: { n: 3, viewer: 'viewer-0' } } }]);
    expect(calls.n).toBe(2);
  });

  it('ends a stream that fails with an error frame without internal extensions, then completes it', async () => {
    const { yoga, pubsub } = tinyApp(() => '');
    const [stream] = await openStreams(yoga, 'subscription { ticks { n } }', 1);
    pubsub.publish('tick', { n: 1, fail: true });
    await until(() => stream?.done === true);
    const [ended] = dataOf(stream?.text ?? '');
    expect(ended.errors[0].message).toBe('stream ended');
    expect(ended.errors[0].extensions).toEqual({ code: 'ENDED' });
    expect(stream?.text.endsWith('event: complete\ndata:\n\n')).toBe(true);
  });
});

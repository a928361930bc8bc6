import type { PubSub, Topics } from './pubsub.js';

type Payload<K extends keyof Topics> = Topics[K] extends [string, infer P] ? P : Topics[K] extends [infer P] ? P : never;
type Listener = (payload: never) => void;
type Channel = { listeners: Set<Listener>; iterator: AsyncIterator<unknown> };

/**
 * Shares pubsub subscriptions between the open event streams of this process: ONE
 * subscription per channel (`user:<id>`, `device:<id>`, `node`) however many streams listen
 * to it, instead of one per stream. At 1,000 streams of 10 users an event then costs 10
 * pubsub deliveries instead of 1,000; the hub hands it to each listener synchronously.
 *
 * Contract: a listener gets every payload published on its channel after it started
 * listening, in publish order, until it stops (a payload already on its way when it started
 * may reach it as well; every stream of one channel belongs to the same user or device, so
 * this never crosses an authorization boundary). A listener that throws does not stop the
 * others. The subscription ends when its last listener stops. One per app (AppDeps.hub).
 */
export class EventHub {
  private readonly channels = new Map<string, Channel>();

  constructor(private readonly pubsub: PubSub) {}

  /** Calls `listener` with each payload published on (`topic`, `id`); returns the function that stops it. */
  listen<K extends keyof Topics>(topic: K, id: string | undefined, listener: (payload: Payload<K>) => void): () => void {
    const key = id === undefined ? topic : `${topic}:${id}`;
    let channel = this.channels.get(key);
    if (!channel) {
      const subscribe = this.pubsub.subscribe as unknown as (topic: K, id?: string) => AsyncIterableIterator<unknown>;
      channel = { listeners: new Set(), iterator: id === undefined ? subscribe(topic) : subscribe(topic, id) };
      this.channels.set(key, channel);
      void pump(channel);
    }
    const own = channel;
    own.listeners.add(listener as Listener);
    return () => {
      if (!own.listeners.delete(listener as Listener) || own.listeners.size > 0) return;
      if (this.channels.get(key) === own) this.channels.delete(key);
      void own.iterator.return?.();
    };
  }
}

async function pump(channel: Channel): Promise<void> {
  for (;;) {
    const { value, done } = await channel.iterator.next();
    if (done) return;
    for (const listener of channel.listeners) {
      try {
        listener(value as never);
      } catch (e) {
        console.error('An event listener failed:', e);
      }
    }
  }
}

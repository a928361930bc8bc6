import type { YogaInitialContext } from 'graphql-yoga';
import type { Config } from './config.js';
import type { Db } from './db/connect.js';
import type { PubSub } from './events/pubsub.js';
import type { Loaders } from './graphql/loaders.js';
import type { RateLimits } from './http/rate-limits.js';
import type { SegmentCache } from './sync/segments/segment-cache.js';

/** The signed-in device a request acts for (its token verified and the device not revoked). */
export type Viewer = Readonly<{ userId: string; deviceId: string }>;

/** Long-lived dependencies, built once per process. */
export type AppDeps = Readonly<{
  db: Db;
  pubsub: PubSub;
  config: Config;
  rateLimits: RateLimits;
  segments: SegmentCache;
  /** False while this node may be missing other nodes' events (its listener is down). */
  eventsFlowing: () => boolean;
}>;

/** Per-request context: deps, the viewer (null when anonymous) and the HTTP facts resolvers need. */
export type Context = YogaInitialContext &
  AppDeps & {
    viewer: Viewer | null;
    /** Batched lookups for this request. */
    loaders: Loaders;
    clientIp: string;
    /** True when the client reached us over HTTPS (cookies get the Secure flag). */
    secure: boolean;
    /** Queues a Set-Cookie header for the response. */
    setCookie: (cookie: string) => void;
  };

import type { YogaInitialContext } from 'graphql-yoga';
import type { AppDeps } from '../context.js';
import type { Viewer } from '../viewer.js';
import type { Loaders } from './loaders.js';

/** What every resolver gets (built per request in yoga.ts): the app's deps, the viewer (null when anonymous) and the HTTP facts resolvers need. */
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

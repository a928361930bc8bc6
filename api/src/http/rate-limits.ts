import type pg from 'pg';
import { type RateLimiterAbstract, RateLimiterMemory, RateLimiterPostgres, RateLimiterRes } from 'rate-limiter-flexible';
import type { Config } from '../config.js';
import { rateLimited } from '../errors.js';

/**
 * Fixed-window limits (rate-limiter-flexible): writes per user, authentication attempts
 * (sign-in, sign-up, pairing, refresh) per client address, and refused requests per client
 * address (refused-budget.ts; in process memory only). With a Postgres pool the counters
 * live in the `rate_limits` table, shared by every API node on the database (should the
 * database fail, each node falls back to counting in memory); otherwise in process memory.
 * Each `consume*` throws RATE_LIMITED (HTTP 429 with Retry-After) with `retryAfterSeconds` when over.
 */
export type RateLimits = {
  /** Charges `points` writes (write-weight.ts) to the user. */
  consumeWrite: (userId: string, points?: number) => Promise<void>;
  consumeAuthAttempt: (clientIp: string) => Promise<void>;
  /** Counts one refused request (bad input, bad token, over a query limit) from an address; never throws. */
  countRefused: (clientIp: string) => Promise<void>;
  /** Seconds until the address may send again when it used up its budget of refused requests; 0 when it may. */
  refusedWait: (clientIp: string) => Promise<number>;
};

export function createRateLimits(config: Config, pool?: pg.Pool): RateLimits {
  const limiter = (keyPrefix: string, points: number): RateLimiterAbstract => {
    const options = { keyPrefix, points, duration: 60 };
    if (!pool) return new RateLimiterMemory(options);
    return new RateLimiterPostgres({
      ...options,
      storeClient: pool,
      storeType: 'pool',
      tableName: 'rate_limits',
      tableCreated: true, // by migration 2026-11-22T0200
      clearExpiredByTimeout: true,
      insuranceLimiter: new RateLimiterMemory(options),
    });
  };
  const writes = limiter('writes', config.writesPerMinute);
  const auth = limiter('auth', config.authAttemptsPerMinute);
  // Refused requests are counted in this process only: checking a shared counter would cost
  // every request a database round trip, which is what this budget exists to avoid.
  const refused = new RateLimiterMemory({ keyPrefix: 'refused', points: config.refusedRequestsPerMinute, duration: 60 });
  /** Consumes `points`; with `refund`, a refused request gives them back (it did nothing, so it costs nothing). */
  const consume = async (limiter: RateLimiterAbstract, key: string, what: string, points = 1, refund = false) => {
    try {
      await limiter.consume(key, points);
    } catch (e) {
      if (!(e instanceof RateLimiterRes)) throw e;
      if (refund) await limiter.reward(key, points).catch(() => undefined);
      const retryAfterSeconds = Math.max(1, Math.ceil(e.msBeforeNext / 1000));
      throw rateLimited(`Too many ${what}: try again in ${retryAfterSeconds} s`, retryAfterSeconds);
    }
  };
  return {
    consumeWrite: (userId, points = 1) => consume(writes, userId, 'writes', points, true),
    consumeAuthAttempt: (clientIp) => consume(auth, clientIp, 'sign-in attempts'),
    countRefused: async (clientIp) => {
      await refused.penalty(clientIp, 1);
    },
    refusedWait: async (clientIp) => {
      const state = await refused.get(clientIp);
      return state && state.consumedPoints >= config.refusedRequestsPerMinute ? Math.max(1, Math.ceil(state.msBeforeNext / 1000)) : 0;
    },
  };
}

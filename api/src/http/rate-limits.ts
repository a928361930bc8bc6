import { ErrorCode } from '@mailboat/schema';
import type pg from 'pg';
import { type RateLimiterAbstract, RateLimiterMemory, RateLimiterPostgres, RateLimiterRes } from 'rate-limiter-flexible';
import type { Config } from '../config.js';
import { AppError } from '../errors.js';

/**
 * Fixed-window limits (rate-limiter-flexible): writes per user, and authentication attempts
 * (sign-in, sign-up, pairing, refresh) per client address. With a Postgres pool the counters
 * live in the `rate_limits` table, shared by every API node on the database (should the
 * database fail, each node falls back to counting in memory); otherwise in process memory.
 * Each `consume*` throws RATE_LIMITED (HTTP 429 with Retry-After) with `retryAfterSeconds` when over.
 */
export type RateLimits = {
  consumeWrite: (userId: string) => Promise<void>;
  consumeAuthAttempt: (clientIp: string) => Promise<void>;
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
  const consume = async (limiter: RateLimiterAbstract, key: string, what: string) => {
    try {
      await limiter.consume(key);
    } catch (e) {
      if (!(e instanceof RateLimiterRes)) throw e;
      const retryAfterSeconds = Math.max(1, Math.ceil(e.msBeforeNext / 1000));
      const error = new AppError(
        ErrorCode.RATE_LIMITED,
        `Too many ${what}: try again in ${retryAfterSeconds} s`,
        { retryAfterSeconds },
        429,
      );
      (error.extensions.http as { headers?: Record<string, string> }).headers = { 'retry-after': String(retryAfterSeconds) };
      throw error;
    }
  };
  return {
    consumeWrite: (userId) => consume(writes, userId, 'writes'),
    consumeAuthAttempt: (clientIp) => consume(auth, clientIp, 'sign-in attempts'),
  };
}

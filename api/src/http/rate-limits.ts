import { ErrorCode } from '@mailboat/schema';
import { RateLimiterMemory, RateLimiterRes } from 'rate-limiter-flexible';
import type { Config } from '../config.js';
import { AppError } from '../errors.js';

/**
 * Fixed-window limits (rate-limiter-flexible, in process memory): writes per user, and
 * authentication attempts (sign-in, sign-up, pairing, refresh) per client address.
 * Each `consume*` throws RATE_LIMITED (HTTP 429 with Retry-After) with `retryAfterSeconds` when over.
 */
export type RateLimits = {
  consumeWrite: (userId: string) => Promise<void>;
  consumeAuthAttempt: (clientIp: string) => Promise<void>;
};

export function createRateLimits(config: Config): RateLimits {
  const writes = new RateLimiterMemory({ keyPrefix: 'writes', points: config.writesPerMinute, duration: 60 });
  const auth = new RateLimiterMemory({ keyPrefix: 'auth', points: config.authAttemptsPerMinute, duration: 60 });
  const consume = async (limiter: RateLimiterMemory, key: string, what: string) => {
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

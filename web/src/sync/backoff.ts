/** Exponential backoff with jitter: ~1 s, 2 s, 4 s ... up to `maxMs`. */
export function backoffDelay(attempt: number, maxMs = 60_000): number {
  const base = Math.min(maxMs, 1000 * 2 ** Math.min(attempt, 16));
  return Math.round(base * (0.5 + Math.random() / 2));
}

/**
 * Below this, the device's clock is trusted as it is: the Date header has one-second
 * precision, and a device synced by NTP should keep its own, finer time.
 */
export const TRUSTED_SKEW_MS = 30_000;

/**
 * The time by the server's clock, as this device best knows it: its own clock plus an offset
 * learned from the Date header of the API's answers. The server refuses messages dated more
 * than a few minutes ahead of it, so a device whose clock is set wrong (by hand, or a dead
 * battery) would otherwise have every message refused; with this, what it writes is dated
 * by the server's time and sorts where it was written.
 *
 * Contract: `now()` is the local clock while the observed skew stays under TRUSTED_SKEW_MS,
 * else the local clock corrected by the latest observation; `offset` is what to persist and
 * to pass back at the next start (an offline launch keeps the correction).
 */
export class ServerClock {
  private observed = false;

  constructor(
    private readonly local: () => number,
    public offset = 0,
  ) {}

  /** Starts from a stored offset (read at launch), unless an answer has already said better. */
  start(offset: number): void {
    if (!this.observed && Number.isFinite(offset)) this.offset = offset;
  }

  now(): number {
    return this.local() + this.offset;
  }

  /**
   * Takes the Date header of an answer to a request sent at local time `sentAt` and received
   * at `receivedAt`; returns true when the offset changed. The server stamped the header
   * somewhere between the two, within the header's second, so the middle of both is the
   * estimate.
   */
  observe(dateHeader: string | null, sentAt: number, receivedAt: number): boolean {
    if (!dateHeader) return false;
    const stamped = Date.parse(dateHeader);
    if (!Number.isFinite(stamped)) return false;
    this.observed = true;
    const skew = stamped + 500 - (sentAt + receivedAt) / 2;
    const offset = Math.abs(skew) < TRUSTED_SKEW_MS ? 0 : Math.round(skew);
    if (offset === this.offset || (offset !== 0 && this.offset !== 0 && Math.abs(offset - this.offset) < 2000)) return false;
    this.offset = offset;
    return true;
  }
}

/** `fetch` that shows every answer's Date header to `clock` (and tells `changed` when the offset moved). */
export function fetchObservingClock(fetchFn: typeof fetch, clock: ServerClock, local: () => number, changed: () => void): typeof fetch {
  return async (input, init) => {
    const sentAt = local();
    const res = await fetchFn(input, init);
    if (clock.observe(res.headers.get('date'), sentAt, local())) changed();
    return res;
  };
}

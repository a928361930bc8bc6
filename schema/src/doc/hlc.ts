/**
 * A hybrid logical clock for message createdAt values: close to wall-clock milliseconds, yet
 * strictly greater than every createdAt this device has seen in the conversation, so a reply
 * always sorts after what it answers even when the replier's clock is behind.
 */
export class HybridClock {
  private last = 0;

  constructor(private readonly wallClock: () => number = Date.now) {}

  /** Records a createdAt seen from anyone (call for every message received). */
  observe(createdAt: number): void {
    if (createdAt > this.last) this.last = createdAt;
  }

  /** The createdAt for a message written now. */
  next(): number {
    this.last = Math.max(this.wallClock(), this.last + 1);
    return this.last;
  }
}

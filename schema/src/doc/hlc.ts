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

  /**
   * Forgets the createdAt values handed out and seen so far (after the server refused a write,
   * perhaps for a createdAt from a clock that was fast and has been put right since). What the
   * device holds is observed again before the next write, so replies still sort after what they
   * answer.
   */
  rewind(): void {
    this.last = 0;
  }

  /** The createdAt for a message written now. */
  next(): number {
    this.last = Math.max(this.wallClock(), this.last + 1);
    return this.last;
  }
}

/**
 * Runs one task at a time. Tasks asked for while one runs are coalesced into one more run
 * after it (the latest task wins), which every such caller waits for; a caller sees the
 * rejection of the run it waits for, not of an earlier one.
 */
export class Serial {
  private current: Promise<void> | null = null;
  private again: (() => Promise<void>) | null = null;
  private waiting: Promise<void> | null = null;

  run(task: () => Promise<void>): Promise<void> {
    if (!this.current) {
      this.current = task().finally(() => {
        this.current = null;
      });
      return this.current;
    }
    this.again = task;
    this.waiting ??= this.current
      .catch(() => undefined)
      .then(() => {
        const next = this.again;
        this.again = null;
        this.waiting = null;
        return next ? this.run(next) : undefined;
      });
    return this.waiting;
  }

  /** Resolves when nothing runs or waits. */
  async idle(): Promise<void> {
    while (this.current || this.waiting) await (this.waiting ?? this.current)?.catch(() => undefined);
  }
}

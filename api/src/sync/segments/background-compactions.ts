/**
 * The compactions one app runs in the background (AppDeps.compactions; compaction.ts
 * scheduleCompaction starts them): at most one per segment at a time, and all of them awaited
 * by App.close.
 */
export class BackgroundCompactions {
  private readonly running = new Map<string, Promise<void>>();

  /** Runs `task` for the segment `name` unless one is running for it already. `task` must not reject. */
  start(name: string, task: () => Promise<void>): void {
    if (this.running.has(name)) return;
    this.running.set(
      name,
      task().finally(() => this.running.delete(name)),
    );
  }

  /** Resolves once every task started, including those started while waiting, has finished. */
  async settled(): Promise<void> {
    while (this.running.size > 0) await Promise.all(this.running.values());
  }
}

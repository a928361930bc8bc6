/**
 * One event stream's queue: an async iterator fed synchronously with `push`.
 *
 * It replaces a Repeater chain per stream (a Repeater `push` allocates several promises; at
 * 1,000 streams that was the largest single cost of live fan-out). No dependency offers this
 * for less: graphql-yoga's own pubsub is Repeater-based.
 *
 * Contract:
 * - values come out in push order, each at most once; nothing comes out while the queue is
 *   `held` (see `release`), so a stream can be checked before it delivers anything;
 * - `fail(error)` ends the stream at once: queued values are DROPPED (a revoked device must
 *   not receive anything after the revocation), the next `next()` rejects with `error`, and
 *   every later one is done;
 * - more than `limit` values waiting ends the stream with `overflow()` (a stalled reader
 *   cannot grow the server's memory without bound; its client reconnects and catches up);
 * - `return()` (the reader went away) and `fail` both run `onClose` exactly once.
 */
export class EventQueue<T> implements AsyncIterableIterator<T> {
  private readonly values: T[] = [];
  private head = 0;
  private waiting: ((result: IteratorResult<T>) => void) | undefined;
  private failWaiting: ((error: unknown) => void) | undefined;
  private error: unknown;
  private state: 'held' | 'open' | 'failed' | 'closed';

  constructor(private readonly options: { limit: number; overflow: () => unknown; onClose: () => void; held?: boolean }) {
    this.state = options.held ? 'held' : 'open';
  }

  /** True until the stream failed or was closed. */
  get active(): boolean {
    return this.state === 'held' || this.state === 'open';
  }

  /** Queues `value` for the reader (ignored once the stream has ended). */
  push(value: T): void {
    if (!this.active) return;
    if (this.state === 'open' && this.waiting) {
      const resolve = this.waiting;
      this.waiting = this.failWaiting = undefined;
      resolve({ value, done: false });
      return;
    }
    if (this.values.length - this.head >= this.options.limit) {
      this.fail(this.options.overflow());
      return;
    }
    this.values.push(value);
  }

  /** Lets a held queue deliver (what was pushed meanwhile comes out first). */
  release(): void {
    if (this.state !== 'held') return;
    this.state = 'open';
    if (this.waiting && this.head < this.values.length) {
      const resolve = this.waiting;
      this.waiting = this.failWaiting = undefined;
      resolve({ value: this.take(), done: false });
    }
  }

  /** Ends the stream with `error`, dropping whatever is queued. */
  fail(error: unknown): void {
    if (!this.active) return;
    this.state = 'failed';
    this.values.length = this.head = 0;
    const reject = this.failWaiting;
    this.waiting = this.failWaiting = undefined;
    this.options.onClose();
    if (reject) reject(error);
    else this.error = error;
  }

  next(): Promise<IteratorResult<T>> {
    if (this.state === 'open' && this.head < this.values.length) return Promise.resolve({ value: this.take(), done: false });
    if (this.state === 'failed' && this.error !== undefined) {
      const error = this.error;
      this.error = undefined;
      return Promise.reject(error);
    }
    if (!this.active) return Promise.resolve({ value: undefined, done: true });
    return new Promise((resolve, reject) => {
      this.waiting = resolve;
      this.failWaiting = reject;
    });
  }

  return(): Promise<IteratorResult<T>> {
    const wasActive = this.active;
    const resolve = this.waiting;
    this.state = 'closed';
    this.values.length = this.head = 0;
    this.error = undefined;
    this.waiting = this.failWaiting = undefined;
    if (wasActive) this.options.onClose();
    resolve?.({ value: undefined, done: true });
    return Promise.resolve({ value: undefined, done: true });
  }

  throw(error: unknown): Promise<IteratorResult<T>> {
    this.fail(error);
    return this.next();
  }

  [Symbol.asyncIterator](): this {
    return this;
  }

  private take(): T {
    const value = this.values[this.head] as T;
    this.values[this.head++] = undefined as T;
    if (this.head === this.values.length) this.values.length = this.head = 0;
    return value;
  }
}

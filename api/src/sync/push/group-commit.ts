/**
 * Group commit: requests submitted while a flush is running wait in a queue, and the next
 * flush takes all of them (up to `maxWeight`) in one call, so concurrent requests share one
 * transaction and its round trips and commit instead of paying for their own.
 *
 * `flush` answers each request of the batch, in order, and must throw only when none of the
 * batch took effect (the transaction rolled back). A failed batch is retried as it is while
 * the error is transient (`transient`), then split in halves and each half flushed on its
 * own, down to single requests: one bad request fails alone, never its neighbours.
 */
export class GroupCommitter<Req, Res> {
  private readonly queue: Waiting<Req, Res>[] = [];
  private running = 0;
  private scheduled = false;

  constructor(
    private readonly flush: (batch: Req[]) => Promise<Res[]>,
    private readonly options: {
      /** What one request weighs (e.g. its updates); a flush takes requests up to maxWeight (at least one). */
      weight: (req: Req) => number;
      maxWeight: number;
      /** Flushes running at once (each with its own transaction). */
      concurrency: number;
      /** Errors worth retrying unchanged (serialization failures, deadlocks); retried at most `retries` times. */
      transient: (error: unknown) => boolean;
      retries: number;
    },
  ) {}

  /** Resolves with the request's answer once its batch has been flushed; rejects with the error of its own flush. */
  submit(req: Req): Promise<Res> {
    return new Promise<Res>((resolve, reject) => {
      this.queue.push({ req, resolve, reject });
      this.schedule();
    });
  }

  /** Starts flushes on the next turn of the event loop, so requests that arrived together go together. */
  private schedule(): void {
    if (this.scheduled || this.running >= this.options.concurrency) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      while (this.running < this.options.concurrency && this.queue.length > 0) {
        this.running++;
        void this.settle(this.take()).finally(() => {
          this.running--;
          if (this.queue.length > 0) this.schedule();
        });
      }
    });
  }

  private take(): Waiting<Req, Res>[] {
    let weight = 0;
    let n = 0;
    while (n < this.queue.length) {
      weight += this.options.weight((this.queue[n] as Waiting<Req, Res>).req);
      if (n > 0 && weight > this.options.maxWeight) break;
      n++;
    }
    return this.queue.splice(0, n);
  }

  private async settle(batch: Waiting<Req, Res>[], attempt = 0): Promise<void> {
    let answers: Res[];
    try {
      answers = await this.flush(batch.map((w) => w.req));
    } catch (error) {
      if (this.options.transient(error) && attempt < this.options.retries) return this.settle(batch, attempt + 1);
      if (batch.length === 1) return (batch[0] as Waiting<Req, Res>).reject(error);
      const half = Math.ceil(batch.length / 2);
      await this.settle(batch.slice(0, half));
      await this.settle(batch.slice(half));
      return;
    }
    batch.forEach((w, i) => {
      w.resolve(answers[i] as Res);
    });
  }
}

type Waiting<Req, Res> = { req: Req; resolve: (res: Res) => void; reject: (error: unknown) => void };

/** Postgres serialization failures and deadlocks: the same transaction may well succeed when run again. */
export function isTransientDbError(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return code === '40001' || code === '40P01';
}

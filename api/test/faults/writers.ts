import type { Pending, SyncDevice } from '../sync-device.js';

/** mulberry32: small, fast, and the same sequence for the same seed everywhere. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Polls `condition` until it holds; throws `what` after `timeoutMs` (no fixed sleeps in fault tests). */
export async function waitFor(what: string, condition: () => boolean | Promise<boolean>, timeoutMs = 30_000, everyMs = 25): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await condition()) return;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(everyMs);
  }
}

export type WrittenMessage = { conversationId: string; segment: number };

export type WriterStats = {
  pushes: number;
  /** Pushes with no answer (network error, server error): their updates stay queued and are pushed again. */
  failed: number;
  accepted: number;
  /** Updates the server already had: a retry of a push whose answer was lost after it committed. */
  duplicates: number;
  /** Messages whose first push got no answer and whose retry came back DUPLICATE: they had landed. */
  landedUnanswered: number;
  /** Messages whose first push got no answer and whose retry came back ACCEPTED: they had not landed. */
  lostUnanswered: number;
};

export type WriterOptions = {
  /** The conversations (global ids) it writes in, picked at random per message. */
  conversationIds: string[];
  random: () => number;
  /** At most this many messages per push (1..n at random). */
  maxPerPush?: number;
  /** Pause between successful pushes, ms. */
  pauseMs?: number;
  /** Chance that a write edits one of its own earlier messages instead of creating one. */
  editChance?: number;
};

/**
 * A device writing continuously, the way the service worker replays its outbox: one push in
 * flight at a time, each push carrying the whole outbox in order; a push with no answer
 * leaves its updates queued and is retried (with backoff) with the same bytes, so a write
 * whose answer was lost is pushed again and must come back DUPLICATE, never stored twice.
 * A message counts as acknowledged once a push answered ACCEPTED or DUPLICATE for its
 * creating update. Any REFUSED answer is a failure of the system under test: the loop stops
 * and `stop` throws it.
 */
export class Writer {
  readonly written = new Map<string, WrittenMessage>();
  readonly acknowledged = new Set<string>();
  readonly latencies: number[] = [];
  readonly stats: WriterStats = { pushes: 0, failed: 0, accepted: 0, duplicates: 0, landedUnanswered: 0, lostUnanswered: 0 };
  /** The updates of the push now on the wire, if any. */
  inFlight: Pending[] | undefined;
  lastError: unknown;
  private readonly creates = new Map<Pending, string>();
  private readonly unanswered = new Set<string>();
  private readonly own: { id: string; conversationId: string; segment: number }[] = [];
  private writing = true;
  private abandoned = false;
  private refusal: string | undefined;
  private loop: Promise<void> | undefined;
  private n = 0;

  constructor(
    readonly name: string,
    readonly device: SyncDevice,
    private readonly options: WriterOptions,
  ) {}

  start(): this {
    this.loop = this.run();
    return this;
  }

  /** Stops writing new messages, then keeps pushing until the outbox is empty; throws on a refusal or after `timeoutMs`. */
  async stop(timeoutMs = 30_000): Promise<void> {
    this.writing = false;
    const timer = setTimeout(() => {
      this.abandoned = true;
    }, timeoutMs);
    try {
      await this.loop;
    } finally {
      clearTimeout(timer);
    }
    if (this.refusal) throw new Error(`${this.name}: ${this.refusal}`);
    if (this.device.outbox.length > 0) {
      throw new Error(`${this.name}: ${this.device.outbox.length} updates still unacknowledged after ${timeoutMs} ms (${this.lastError})`);
    }
  }

  private writeOne(): void {
    const { random, conversationIds, editChance = 0 } = this.options;
    const earlier = this.own.length > 0 && random() < editChance ? this.own[Math.floor(random() * this.own.length)] : undefined;
    if (earlier) {
      this.device.edit(earlier.conversationId, earlier.segment, earlier.id, `${this.name} edit ${this.n++}`);
      return;
    }
    const conversationId = conversationIds[Math.floor(random() * conversationIds.length)] as string;
    const { id, segment } = this.device.send(conversationId, `${this.name} says ${this.n++} ${'.'.repeat(Math.floor(random() * 80))}`);
    this.written.set(id, { conversationId, segment });
    this.own.push({ id, conversationId, segment });
    this.creates.set(this.device.outbox.at(-1) as Pending, id);
  }

  private async run(): Promise<void> {
    const { random, maxPerPush = 3, pauseMs = 0 } = this.options;
    let backoffMs = 20;
    while ((this.writing || this.device.outbox.length > 0) && !this.abandoned) {
      if (this.writing) for (let k = 1 + Math.floor(random() * maxPerPush); k > 0; k--) this.writeOne();
      const batch = [...this.device.outbox];
      this.inFlight = batch;
      this.stats.pushes++;
      const started = performance.now();
      let results: any[];
      try {
        results = await this.device.push(batch);
      } catch (e) {
        this.inFlight = undefined;
        this.stats.failed++;
        this.lastError = e;
        for (const p of batch) {
          const id = this.creates.get(p);
          if (id) this.unanswered.add(id);
        }
        await sleep(backoffMs * (0.5 + random()));
        backoffMs = Math.min(backoffMs * 2, 400);
        continue;
      }
      this.inFlight = undefined;
      this.latencies.push(performance.now() - started);
      backoffMs = 20;
      this.device.outbox.splice(0, batch.length);
      results.forEach((r, k) => {
        const pending = batch[k] as Pending;
        if (r.status === 'ACCEPTED') this.stats.accepted++;
        else if (r.status === 'DUPLICATE') this.stats.duplicates++;
        else this.refusal ??= `update ${k} of a push was refused: ${JSON.stringify(r)}`;
        const id = this.creates.get(pending);
        if (!id || r.status === 'REFUSED') return;
        this.creates.delete(pending);
        this.acknowledged.add(id);
        if (this.unanswered.delete(id)) {
          if (r.status === 'DUPLICATE') this.stats.landedUnanswered++;
          else this.stats.lostUnanswered++;
        }
      });
      if (this.refusal) return;
      if (this.writing && pauseMs > 0) await sleep(pauseMs * (0.5 + random()));
    }
  }
}

/** Sums the writers' stats. */
export function totals(writers: Writer[]): WriterStats & { written: number; acknowledged: number } {
  const sum: WriterStats & { written: number; acknowledged: number } = {
    pushes: 0,
    failed: 0,
    accepted: 0,
    duplicates: 0,
    landedUnanswered: 0,
    lostUnanswered: 0,
    written: 0,
    acknowledged: 0,
  };
  for (const w of writers) {
    for (const key of Object.keys(w.stats) as (keyof WriterStats)[]) sum[key] += w.stats[key];
    sum.written += w.written.size;
    sum.acknowledged += w.acknowledged.size;
  }
  return sum;
}

/** The median of `values` (0 when empty). */
export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? 0;
}

/**
 * Starts `writers`, runs `scenario` while they write, then stops them (each drains its
 * outbox). A failure of the scenario wins over the writers' own, so it is the one reported.
 */
export async function whileWriting(writers: Writer[], scenario: () => Promise<void>): Promise<void> {
  for (const w of writers) w.start();
  let failure: { error: unknown } | undefined;
  try {
    await scenario();
  } catch (error) {
    failure = { error };
  }
  const stopped = await Promise.allSettled(writers.map((w) => w.stop(failure ? 5000 : 30_000)));
  if (failure) throw failure.error;
  for (const s of stopped) if (s.status === 'rejected') throw s.reason;
}

import { ClientOnlyErrorCode } from '../app/model.js';
import type { AccountDb } from './local-db.js';
import type { FailedWrite, OutboxEntry } from './records.js';

/**
 * The local writes not yet acknowledged, in write order, mirrored in memory so the UI can
 * read them synchronously. Every change is written to IndexedDB in the order it was made
 * (`settled()` waits for them); an entry leaves only when the server acknowledged it or it
 * was moved aside as failed, so a write survives a restart and is never dropped silently.
 */
export class Outbox {
  private readonly entries = new Map<number, OutboxEntry>();
  private readonly failures = new Map<number, FailedWrite>();
  private lastSeq = 0;
  private chain: Promise<unknown> = Promise.resolve();

  /** `onChange` is told (synchronously) which conversation's writes were removed, replaced, failed or forgotten. */
  constructor(
    private readonly db: AccountDb,
    private readonly onChange: (conversationId: string) => void,
  ) {}

  async load(): Promise<void> {
    for (const e of await this.db.getAll('outbox')) this.entries.set(e.seq, e);
    for (const f of await this.db.getAll('failed')) this.failures.set(f.seq, f);
    this.lastSeq = Math.max(0, ...this.entries.keys(), ...this.failures.keys());
  }

  get size(): number {
    return this.entries.size;
  }

  /** Queues a write (synchronously; persisted in the background, in order). */
  add(entry: Omit<OutboxEntry, 'seq'>): OutboxEntry {
    this.lastSeq = Math.max(this.lastSeq + 1, Date.now() * 1000);
    const full: OutboxEntry = { ...entry, seq: this.lastSeq };
    this.entries.set(full.seq, full);
    this.persist((db) => db.put('outbox', full));
    return full;
  }

  /** Entries in write order, optionally of one segment. */
  list(conversationId?: string, segment?: number): OutboxEntry[] {
    const all = [...this.entries.values()].sort((a, b) => a.seq - b.seq);
    if (conversationId === undefined) return all;
    return all.filter((e) => e.conversationId === conversationId && (segment === undefined || e.segment === segment));
  }

  has(seq: number): boolean {
    return this.entries.has(seq);
  }

  /** Drops acknowledged entries. */
  remove(seqs: Iterable<number>): void {
    for (const seq of seqs) {
      const entry = this.entries.get(seq);
      if (!entry) continue;
      this.entries.delete(seq);
      this.persist((db) => db.delete('outbox', seq));
      this.onChange(entry.conversationId);
    }
  }

  /** Replaces an entry's update (after it was re-applied to a rebuilt document). */
  replace(entry: OutboxEntry): void {
    if (!this.entries.has(entry.seq)) return;
    this.entries.set(entry.seq, entry);
    this.persist((db) => db.put('outbox', entry));
    this.onChange(entry.conversationId);
  }

  /** Moves an entry aside as failed (`awaitingRollback`: its segment has not been rolled back yet). */
  fail(entry: OutboxEntry, failure: FailedWrite['failure'], awaitingRollback = false): void {
    this.moveAside(awaitingRollback ? { ...entry, failure, awaitingRollback } : { ...entry, failure });
  }

  /** Moves an entry aside as cancelled by the person: never shown, forgotten once its segment is rolled back (FailedWrite.cancelled). */
  cancel(entry: OutboxEntry): void {
    const failure = { code: ClientOnlyErrorCode.REFUSED, message: 'Cancelled', retryable: false };
    this.moveAside({ ...entry, failure, awaitingRollback: true, cancelled: true });
  }

  private moveAside(failed: FailedWrite): void {
    this.entries.delete(failed.seq);
    this.failures.set(failed.seq, failed);
    this.persist(async (db) => {
      const tx = db.transaction(['outbox', 'failed'], 'readwrite');
      await Promise.all([tx.objectStore('outbox').delete(failed.seq), tx.objectStore('failed').put(failed), tx.done]);
    });
    this.onChange(failed.conversationId);
  }

  failed(conversationId?: string): FailedWrite[] {
    const all = [...this.failures.values()].sort((a, b) => a.seq - b.seq);
    return conversationId === undefined ? all : all.filter((f) => f.conversationId === conversationId);
  }

  /** Records that these failed writes' segments were rolled back. */
  rolledBack(seqs: Iterable<number>): void {
    for (const seq of seqs) {
      const failed = this.failures.get(seq);
      if (!failed?.awaitingRollback) continue;
      const { awaitingRollback: _, ...done } = failed;
      this.failures.set(seq, done);
      this.persist((db) => db.put('failed', done));
    }
  }

  /**
   * Takes in what another context (the service worker) changed in IndexedDB: entries it
   * removed (acknowledged, or moved aside) leave this mirror, and the writes it moved aside
   * show as failed. Returns the failed writes whose segments still await a rollback. Call it
   * holding the outbox lock (outbox-lock.ts), so nothing changes IndexedDB meanwhile.
   */
  async reconcile(): Promise<FailedWrite[]> {
    const known = [...this.entries.keys()];
    await this.settled(); // every known entry is stored now, so a missing one was removed elsewhere
    const tx = this.db.transaction(['outbox', 'failed'], 'readonly');
    const [storedSeqs, failed] = await Promise.all([tx.objectStore('outbox').getAllKeys(), tx.objectStore('failed').getAll(), tx.done]);
    const stored = new Set(storedSeqs);
    for (const seq of known) {
      const entry = this.entries.get(seq);
      if (!entry || stored.has(seq)) continue;
      this.entries.delete(seq);
      this.onChange(entry.conversationId);
    }
    for (const f of failed) {
      if (this.failures.has(f.seq) || this.entries.has(f.seq)) continue;
      this.failures.set(f.seq, f);
      this.onChange(f.conversationId);
    }
    return this.failed().filter((f) => f.awaitingRollback);
  }

  /** Forgets failed writes. */
  forget(seqs: Iterable<number>): void {
    for (const seq of seqs) {
      const failed = this.failures.get(seq);
      if (!failed) continue;
      this.failures.delete(seq);
      this.persist((db) => db.delete('failed', seq));
      this.onChange(failed.conversationId);
    }
  }

  /** Resolves when every change so far is in IndexedDB. */
  settled(): Promise<void> {
    return this.chain.then(() => undefined);
  }

  private persist(write: (db: AccountDb) => Promise<unknown>): void {
    this.chain = this.chain.then(() => write(this.db)).catch((e) => console.error('Mailboat: could not store the outbox', e));
  }
}

import type { Db } from '../db/connect.js';
import { deleteSwept, listSweepable } from './attachments-repository.js';
import { type ObjectStore, objectKey } from './storage/object-store.js';

const BATCH = 200;
const INTERVAL_MS = 10 * 60 * 1000;

/**
 * Removes the bytes no message needs: attachments of deleted messages (woken after the
 * commit that deleted them) and uploads no message named within `orphanHours` (abandoned,
 * or named only by a message the server refused). The objects go first, then the rows, so a
 * failure leaves the row to try again. Every node may sweep: removals are idempotent.
 */
export class AttachmentSweeper {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<number> | undefined;
  private again = false;

  constructor(private readonly deps: { db: Db; store: ObjectStore; orphanHours: number }) {}

  start(): void {
    this.timer ??= setInterval(() => this.wake(), INTERVAL_MS);
    this.timer.unref();
    this.wake();
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    this.timer = undefined;
    await this.running?.catch(() => {});
  }

  /** Sweeps soon (now, or again right after the sweep running now). */
  wake(): void {
    if (this.running) {
      this.again = true;
      return;
    }
    this.running = this.sweep()
      .catch((e) => {
        console.error('Attachment sweep failed:', e);
        return 0;
      })
      .finally(() => {
        this.running = undefined;
        if (this.again) {
          this.again = false;
          this.wake();
        }
      });
  }

  /** Sweeps until nothing is left; resolves with how many attachments it removed. */
  async sweep(): Promise<number> {
    let removed = 0;
    for (;;) {
      const orphanBefore = new Date(Date.now() - this.deps.orphanHours * 3600_000);
      const rows = await listSweepable(this.deps.db, orphanBefore, BATCH);
      if (rows.length === 0) return removed;
      const gone = await deleteSwept(
        this.deps.db,
        rows.map((r) => r.id),
      );
      const swept = rows.filter((r) => gone.has(r.id));
      for (const row of swept) {
        if (row.upload_id) await this.deps.store.abortUpload(objectKey(row.id, 'original'), row.upload_id).catch(() => {});
      }
      await this.deps.store.delete(swept.flatMap((r) => [objectKey(r.id, 'original'), objectKey(r.id, 'thumbnail')]));
      removed += swept.length;
      if (rows.length < BATCH) return removed;
    }
  }
}

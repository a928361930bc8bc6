import type { AttachmentUpload } from '../../app/model.js';
import { type AccountDb, getMeta, setMeta } from '../local-db.js';
import { DEFAULT_LIMITS, type ServerLimits } from './limits.js';
import type { PendingUpload } from './records.js';
import { cancelUploads, dropUploads, listUploads, readUpload, storeUploads, updateUpload } from './upload-records.js';

/** An upload record left with no write naming it (the app stopped between storing the bytes and writing the message) goes after this long. */
const ORPHAN_MS = 10 * 60 * 1000;

/**
 * The account's attachment state as the page shows it: the pending-upload records, mirrored
 * in memory from the database (the service worker changes them too: `reconcile` takes that
 * in), the progress of the uploads running in this page, and the server's limits as last
 * read. `upload(id)` answers the same object while an attachment's upload state is unchanged
 * (rows compare by identity). `onChange` is told which conversation changed.
 */
export class AccountAttachments {
  limits: ServerLimits = DEFAULT_LIMITS;
  private readonly records = new Map<string, PendingUpload>();
  /** Bytes sent so far by uploads running in this page. */
  private readonly live = new Map<string, number>();
  private readonly states = new Map<string, AttachmentUpload>();

  constructor(
    private readonly db: AccountDb,
    private readonly onChange: (conversationId: string) => void,
  ) {}

  /** Loads the records and limits; drops orphans (older than ORPHAN_MS, named by no write in `named`). */
  async load(named: ReadonlySet<string>, now: number): Promise<void> {
    this.limits = (await getMeta(this.db, 'attachmentLimits')) ?? DEFAULT_LIMITS;
    const orphans: string[] = [];
    for (const r of await listUploads(this.db)) {
      if (!named.has(r.id) && now - r.createdAt > ORPHAN_MS) orphans.push(r.id);
      else this.records.set(r.id, r);
    }
    await dropUploads(this.db, orphans);
  }

  async setLimits(limits: ServerLimits): Promise<void> {
    this.limits = limits;
    await setMeta(this.db, 'attachmentLimits', limits);
  }

  /** This device's upload of the attachment, or null when none is pending (uploaded, cancelled, or another device's). */
  upload(id: string): AttachmentUpload | null {
    const r = this.records.get(id);
    if (!r || r.state === 'cancelled') return null;
    const live = this.live.get(id);
    const state = r.state === 'failed' ? 'failed' : live === undefined ? 'waiting' : 'uploading';
    const sentBytes = live ?? r.sentBytes;
    const error = r.error?.message ?? null;
    const known = this.states.get(id);
    if (known && known.state === state && known.sentBytes === sentBytes && known.error === error) return known;
    const fresh: AttachmentUpload = Object.freeze({ state, sentBytes, error });
    this.states.set(id, fresh);
    return fresh;
  }

  /** Whether the attachment has a record (pending, failed or cancelled): a message naming it is not pushed. */
  notUploaded = (id: string): boolean => this.records.has(id);

  record = (id: string): PendingUpload | undefined => this.records.get(id);

  get hasPending(): boolean {
    for (const r of this.records.values()) if (r.state === 'pending') return true;
    return false;
  }

  /** Stores a new message's files (records and bytes, one transaction). */
  async add(files: { record: PendingUpload; blob: Blob }[], now: number): Promise<void> {
    await storeUploads(this.db, files, now);
    for (const { record } of files) this.set(record.id, record);
  }

  /** An upload running here sent `sentBytes`. */
  progress(record: PendingUpload, sentBytes: number): void {
    this.live.set(record.id, sentBytes);
    this.onChange(record.conversationId);
  }

  /** The uploads running here stopped (done, or broken off): what is still pending shows as waiting again. */
  stopped(): void {
    for (const id of [...this.live.keys()]) {
      this.live.delete(id);
      const r = this.records.get(id);
      if (r) this.onChange(r.conversationId);
    }
  }

  /** Re-reads one record after an upload here changed it; its live progress ends unless it is still pending. */
  async refresh(record: PendingUpload): Promise<void> {
    const stored = await readUpload(this.db, record.id);
    if (stored?.state !== 'pending') this.live.delete(record.id);
    else if (this.live.has(record.id)) this.live.set(record.id, stored.sentBytes);
    this.set(record.id, stored, record.conversationId);
  }

  /** Takes in what another context (the service worker) changed. */
  async reconcile(): Promise<void> {
    const stored = new Map((await listUploads(this.db)).map((r) => [r.id, r]));
    for (const [id, r] of this.records) if (!stored.has(id)) this.set(id, undefined, r.conversationId);
    for (const [id, r] of stored) {
      const known = this.records.get(id);
      if (!known || known.state !== r.state || known.sentBytes !== r.sentBytes) this.set(id, r);
    }
  }

  /** Marks uploads cancelled (bytes dropped; the records hold their message back until it is rolled back). */
  async cancel(ids: readonly string[]): Promise<void> {
    for (const id of ids) {
      const r = this.records.get(id);
      if (r) this.set(id, { ...r, state: 'cancelled' });
    }
    await cancelUploads(this.db, ids);
  }

  /** Forgets uploads and their bytes. */
  async drop(ids: readonly string[]): Promise<void> {
    for (const id of ids) this.set(id, undefined, this.records.get(id)?.conversationId);
    await dropUploads(this.db, ids);
  }

  /**
   * Moves uploads not done to the message `messageId` (a failed message written again),
   * pending again if they had failed: at once in memory (so the new message is held back),
   * then in the database.
   */
  retry(ids: readonly string[], messageId: string): void {
    for (const id of ids) {
      const r = this.records.get(id);
      if (!r || r.state === 'cancelled') continue;
      const { error: _, ...rest } = r;
      this.set(id, { ...rest, state: 'pending', messageId });
      updateUpload(this.db, id, ({ error: _e, ...s }) => ({ ...s, state: 'pending', messageId })).catch((e) =>
        console.error('Mailboat: could not store an upload to try again', e),
      );
    }
  }

  private set(id: string, record: PendingUpload | undefined, conversationId = record?.conversationId): void {
    if (record) this.records.set(id, record);
    else {
      this.records.delete(id);
      this.live.delete(id);
      this.states.delete(id);
    }
    if (conversationId !== undefined) this.onChange(conversationId);
  }
}

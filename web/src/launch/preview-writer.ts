import { type AccountDb, setMeta } from '../sync/local-db.js';
import { PREVIEW_CONVERSATIONS, type PreviewRecord } from './preview-record.js';

/** How long after a change the PreviewRecord is written (changes meanwhile share the write). */
const WRITE_DELAY_MS = 400;

/**
 * Keeps the account's PreviewRecord in IndexedDB up to date, off the hot path: a change only
 * arms a timer, and the record is built and written once it fires. Remembers which
 * conversations the screens read, most recent first. Writes never reject (a failed write
 * only makes the next launch show less).
 */
export class PreviewWriter {
  private timer: ReturnType<typeof setTimeout> | null = null;
  private writing: Promise<void> = Promise.resolve();
  private closed = false;
  /** Conversation ids, most recently read first. */
  private recent: string[];

  constructor(
    private readonly db: AccountDb,
    private readonly build: (recent: string[]) => PreviewRecord,
    stored: PreviewRecord | undefined,
  ) {
    this.recent = stored?.views.map((v) => v.conversationId) ?? [];
  }

  /** The screens read this conversation (cheap when it is already the most recent). */
  read(conversationId: string): void {
    if (this.recent[0] === conversationId) return;
    this.recent = [conversationId, ...this.recent.filter((id) => id !== conversationId)].slice(0, PREVIEW_CONVERSATIONS);
    this.changed();
  }

  /** Something the screens show changed: write soon. */
  changed(): void {
    if (this.timer !== null || this.closed) return;
    this.timer = setTimeout(() => void this.flush(), WRITE_DELAY_MS);
  }

  /** Writes now if a write is due; resolves once it is stored. */
  flush(): Promise<void> {
    if (this.timer === null) return this.writing;
    clearTimeout(this.timer);
    this.timer = null;
    this.writing = this.writing
      .then(() => setMeta(this.db, 'firstPaint', this.build(this.recent)))
      .catch((e: unknown) => console.error('Mailboat: could not keep the preview', e));
    return this.writing;
  }

  /** Writes what is due, then stops (call before the database closes). */
  async close(): Promise<void> {
    this.closed = true; // first: a change while the last write runs must not arm a write after the database closed
    await this.flush();
  }
}

import { compareMessages, holdsDeletedText, type Message, messagesOf, readMessage } from '@mailboat/schema';
import type * as Y from 'yjs';

/** Above this many messages touched by one transaction, the sorted list is rebuilt by sorting. */
const PATCH_LIMIT = 64;

/** The index of the first element of `list` not before `m` in display order. */
function lowerBound(list: Message[], m: Message): number {
  let lo = 0;
  let hi = list.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (compareMessages(list[mid] as Message, m) < 0) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

let invalidReported = 0;

/** How many times an entry that is not a valid message was skipped and reported, by any index (for tests and diagnostics). */
export const invalidEntriesReported = (): number => invalidReported;

/**
 * The complete messages of one segment document, kept up to date from its Yjs events: a
 * transaction re-reads only the message maps it touched, every other Message object is kept.
 * `sorted()` is a new array after every change and the same array otherwise.
 *
 * Never throws on what a document holds: an entry that is not a valid message (readMessage
 * says so, or its key is not its id) is left out, counted in `invalid`, and reported once
 * with console.warn (and in invalidEntriesReported) each time it becomes invalid.
 */
export class MessageIndex {
  private readonly byKey = new Map<string, Message>();
  private readonly invalidKeys = new Set<string>();
  private list: Message[] | null = null;
  /** Bumped on every change to the messages. */
  version = 0;
  /** The latest createdAt of any complete message seen (for the hybrid clock). */
  latest = Number.NEGATIVE_INFINITY;
  /** Keys of deleted messages that still hold text (see holdsDeletedText). */
  readonly leftovers = new Set<string>();
  /** Ids of attachments whose message dropped them (it was deleted), since the last takeGoneAttachments. */
  private gone: string[] = [];

  constructor(doc: Y.Doc) {
    const messages = messagesOf(doc);
    for (const [key, entry] of messages.entries()) {
      const m = this.read(key, entry);
      if (m) this.add(key, m);
    }
    messages.observeDeep((events) => this.apply(messages, events));
  }

  /** Entries of the document left out because they are not valid messages. */
  get invalid(): number {
    return this.invalidKeys.size;
  }

  /** The message of entry `key`, or undefined (reported when the entry is there but not a valid message). */
  private read(key: string, entry: unknown): Message | undefined {
    if (holdsDeletedText(entry)) this.leftovers.add(key);
    else this.leftovers.delete(key);
    const m = entry === undefined ? undefined : readMessage(entry);
    if (m && m.id === key) {
      this.invalidKeys.delete(key);
      return m;
    }
    if (entry === undefined) this.invalidKeys.delete(key);
    else if (!this.invalidKeys.has(key)) {
      this.invalidKeys.add(key);
      invalidReported++;
      console.warn(`Mailboat: skipped an entry that is not a valid message (${key.slice(0, 64)})`);
    }
    return undefined;
  }

  /** The ids of attachments deleted with their message since the last call (their bytes can go from the device). */
  takeGoneAttachments(): string[] {
    const gone = this.gone;
    this.gone = [];
    return gone;
  }

  /** Every complete message, in display order. Do not mutate. */
  sorted(): Message[] {
    if (!this.list) this.list = [...this.byKey.values()].sort(compareMessages);
    return this.list;
  }

  private add(key: string, m: Message): void {
    this.byKey.set(key, m);
    if (m.createdAt > this.latest) this.latest = m.createdAt;
  }

  private apply(messages: Y.Map<Y.Map<unknown>>, events: Y.YEvent<Y.AbstractType<unknown>>[]): void {
    const touched = new Set<string>();
    for (const e of events) {
      if (e.target === messages) {
        for (const key of (e as Y.YMapEvent<unknown>).keysChanged) touched.add(key);
      } else {
        const key = e.path[0];
        if (typeof key === 'string') touched.add(key);
      }
    }
    if (touched.size === 0) return;
    const removed: Message[] = [];
    const added: Message[] = [];
    for (const key of touched) {
      const before = this.byKey.get(key);
      const after = this.read(key, messages.get(key));
      if (before) {
        removed.push(before);
        this.byKey.delete(key);
        const kept = new Set(after?.attachments.map((a) => a.id));
        for (const a of before.attachments) if (!kept.has(a.id)) this.gone.push(a.id);
      }
      if (after) {
        added.push(after);
        this.add(key, after);
      }
    }
    if (removed.length === 0 && added.length === 0) return;
    this.version++;
    if (!this.list || removed.length + added.length > PATCH_LIMIT) {
      this.list = null;
      return;
    }
    const list = this.list.slice();
    for (const m of removed) {
      const i = lowerBound(list, m);
      const at = list[i] === m ? i : list.indexOf(m);
      if (at >= 0) list.splice(at, 1);
    }
    for (const m of added) {
      const last = list[list.length - 1];
      if (!last || compareMessages(last, m) < 0) list.push(m);
      else list.splice(lowerBound(list, m), 0, m);
    }
    this.list = list;
  }
}

import { compareMessages, type Message, messagesOf, readMessage } from '@mailboat/schema';
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

/**
 * The complete messages of one segment document, kept up to date from its Yjs events: a
 * transaction re-reads only the message maps it touched, every other Message object is kept.
 * `sorted()` is a new array after every change and the same array otherwise.
 */
export class MessageIndex {
  private readonly byKey = new Map<string, Message>();
  private list: Message[] | null = null;
  /** Bumped on every change to the messages. */
  version = 0;
  /** The latest createdAt of any complete message seen (for the hybrid clock). */
  latest = Number.NEGATIVE_INFINITY;

  constructor(doc: Y.Doc) {
    const messages = messagesOf(doc);
    for (const [key, map] of messages.entries()) {
      const m = readMessage(map);
      if (m) this.add(key, m);
    }
    messages.observeDeep((events) => this.apply(messages, events));
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
      const map = messages.get(key);
      const after = map ? readMessage(map) : undefined;
      if (before) {
        removed.push(before);
        this.byKey.delete(key);
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

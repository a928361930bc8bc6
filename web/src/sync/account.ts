import { compareMessages, ErrorCode, type Message, parseGlobalId } from '@mailboat/schema';
import type { ConversationSummary, ConversationView, Session, User } from '../app/model.js';
import { buildPreviewRecord, type PreviewRecord } from '../launch/preview-record.js';
import { PreviewWriter } from '../launch/preview-writer.js';
import type { ScreenSnapshots } from '../launch/screen-snapshot.js';
import { AccountAttachments } from './attachments/account-attachments.js';
import { forgetCached } from './attachments/cache.js';
import { attachmentsOf } from './attachments/hold-back.js';
import { type AccountDb, accountDbName, deleteDatabase, getMeta, openAccountDb, segmentDbName, setMeta } from './local-db.js';
import { MessageRows } from './message-rows.js';
import { MuteExpiry, nextMuteEnd } from './mute-expiry.js';
import { isLocalOrigin } from './origins.js';
import { Outbox } from './outbox.js';
import type { ConversationRecord, Position, Watermark } from './records.js';
import { type HeldDoc, SegmentStore } from './segment-store.js';
import { laterOf } from './ticks.js';
import { buildMessages, buildSummary } from './views.js';

const NO_RECEIPTS: Watermark[] = [];

/**
 * Everything the device holds for the signed-in account: metadata records (mirrored in
 * memory, written through to IndexedDB), the outbox and the segment documents, with cached
 * snapshots for the screens. A snapshot object stays the same until something it shows
 * changes; `onChange` is called synchronously after every change.
 */
export class Account {
  readonly conversations = new Map<string, ConversationRecord>();
  readonly users = new Map<string, User>();
  readonly receipts = new Map<string, Watermark[]>();
  pendingReads: Record<string, string> = {};
  cursor: string | undefined;
  /** See MetaValues.signInExpiresAt; undefined when not known yet. */
  signInExpiresAt: number | undefined;
  readonly segments: SegmentStore;
  readonly outbox: Outbox;
  /** Own files not uploaded yet, and the server's attachment limits (attachments/account-attachments.ts). */
  readonly attachments: AccountAttachments;
  /** Conversations being paged back (loadOlder). */
  readonly loadingOlder = new Set<string>();
  /** User ids already asked for (fetchUnknownAuthors), so one that cannot be found is not asked for again at every sync. */
  readonly authorsAsked = new Set<string>();
  /** Keeps what the screens show for the next launch's preview (created by load). */
  preview: PreviewWriter | null = null;
  /**
   * Told, in a microtask, about a held document in which updates not made here (from the
   * server, loaded, or rebuilt) left a deleted message holding text (MessageIndex.leftovers).
   */
  leftoversFound: ((held: HeldDoc) => void) | null = null;
  private readonly leftoverChecks = new Set<HeldDoc>();

  private readonly views = new Map<string, ConversationView>();
  /** Per conversation: its message rows, kept from one build of its view to the next. */
  private readonly rows = new Map<string, MessageRows>();
  /** Per conversation: the list and the segment indexes (and their versions) it was built from. */
  private readonly messageCache = new Map<string, { list: Message[]; sources: HeldDoc['index'][]; versions: number[] }>();
  private summaries: ConversationSummary[] | null = null;
  /** Rebuilds the summaries when the next mute ends (it then reads as not muted). */
  private readonly muteExpiry = new MuteExpiry(() => this.changed());

  private constructor(
    readonly db: AccountDb,
    private readonly factory: IDBFactory,
    public session: Session,
    private readonly onChange: () => void,
    /** Told about every createdAt seen in a document (for the hybrid clock). */
    private readonly observe: (createdAt: number) => void,
    /** The screen snapshot of this account's screens (the app writes it; the wipe removes it). */
    private readonly snapshots: ScreenSnapshots,
  ) {
    this.outbox = new Outbox(db, (conversationId) => this.changed(conversationId));
    this.attachments = new AccountAttachments(db, (conversationId) => this.changed(conversationId));
    this.segments = new SegmentStore(factory, session.user.id, (held, _update, origin) => this.onDocUpdate(held, _update, origin));
  }

  /** Opens the account's database and its held documents (waiting until they are loaded). */
  static async open(
    factory: IDBFactory,
    session: Session,
    onChange: () => void,
    observe: (at: number) => void,
    snapshots: ScreenSnapshots,
  ): Promise<Account> {
    const db = await openAccountDb(factory, session.user.id);
    const account = new Account(db, factory, session, onChange, observe, snapshots);
    await account.load();
    return account;
  }

  private async load(): Promise<void> {
    await setMeta(this.db, 'session', this.session);
    for (const c of await this.db.getAll('conversations')) this.conversations.set(c.id, c);
    for (const u of await this.db.getAll('users')) this.users.set(u.id, u);
    for (const r of await this.db.getAll('receipts')) this.receipts.set(r.conversationId, r.members);
    this.users.set(this.session.user.id, this.session.user);
    this.pendingReads = (await getMeta(this.db, 'pendingReads')) ?? {};
    this.cursor = await getMeta(this.db, 'cursor');
    this.signInExpiresAt = await getMeta(this.db, 'signInExpiresAt');
    this.preview = new PreviewWriter(this.db, (recent) => this.buildPreviewRecord(recent), await getMeta(this.db, 'firstPaint'));
    await this.outbox.load();
    const named = [...this.outbox.list(), ...this.outbox.failed()].flatMap(attachmentsOf);
    await this.attachments.load(new Set(named), Date.now());
    const held = await this.db.getAll('segments');
    await Promise.all(held.map((h) => this.segments.open(h.conversationId, h.segment).loaded));
    this.changed();
  }

  get viewerId(): string {
    return this.session.user.id;
  }

  private onDocUpdate(held: HeldDoc, update: Uint8Array | null, origin: unknown): void {
    // A deleted message's files go from the device too (here or anywhere), not only from the server.
    const gone = held.index.takeGoneAttachments();
    if (gone.length > 0) forgetCached(this.db, gone).catch((e) => console.error('Mailboat: could not forget deleted files', e));
    if (isLocalOrigin(origin)) {
      if (update) origin.update = update; // the write that made it queues it and notifies
      this.invalidate(held.conversationId);
      return;
    }
    this.checkLeftovers(held);
    this.changed(held.conversationId);
  }

  /** Tells leftoversFound about `held` (in a microtask: not inside the transaction that left them) when it has leftovers. */
  checkLeftovers(held: HeldDoc): void {
    if (held.index.leftovers.size === 0 || this.leftoverChecks.has(held)) return;
    if (this.leftoverChecks.size === 0) {
      queueMicrotask(() => {
        const found = [...this.leftoverChecks];
        this.leftoverChecks.clear();
        for (const h of found) this.leftoversFound?.(h);
      });
    }
    this.leftoverChecks.add(held);
  }

  /** Invalidates snapshots (of one conversation, or all) and notifies. */
  changed(conversationId?: string): void {
    this.invalidate(conversationId);
    this.onChange();
  }

  invalidate(conversationId?: string): void {
    if (conversationId === undefined) {
      this.views.clear();
    } else {
      this.views.delete(conversationId);
    }
    this.summaries = null;
    this.preview?.changed();
  }

  /** What the screens show now, for the next launch's preview (see launch/preview-record.ts). */
  private buildPreviewRecord(recent: string[]): PreviewRecord {
    let heldMessages = 0;
    for (const id of this.conversations.keys()) heldMessages += this.messages(id).length;
    const views = recent.filter((id) => this.conversations.has(id)).map((id) => ({ conversationId: id, view: this.view(id) }));
    return buildPreviewRecord(heldMessages, this.summaryList(), views);
  }

  user(id: string): User {
    return this.users.get(id) ?? { id, handle: '', displayName: 'Someone' };
  }

  /** Every complete message held for the conversation, in display order. */
  messages(conversationId: string): Message[] {
    const sources = this.segments.ofConversation(conversationId).map((h) => h.index);
    const cached = this.messageCache.get(conversationId);
    if (
      cached &&
      cached.sources.length === sources.length &&
      sources.every((s, i) => s === cached.sources[i] && s.version === cached.versions[i])
    ) {
      return cached.list;
    }
    let list: Message[];
    if (sources.length === 1) list = (sources[0] as HeldDoc['index']).sorted().slice();
    else {
      list = sources.flatMap((s) => s.sorted());
      for (let i = 1; i < list.length; i++) {
        if (compareMessages(list[i - 1] as Message, list[i] as Message) > 0) {
          list.sort(compareMessages);
          break;
        }
      }
    }
    for (const s of sources) if (s.latest !== Number.NEGATIVE_INFINITY) this.observe(s.latest);
    this.messageCache.set(conversationId, { list, sources, versions: sources.map((s) => s.version) });
    return list;
  }

  /** The viewer's read watermark, including marks not yet sent. */
  readPosition(conversationId: string): Position | null {
    const mine = this.receipts.get(conversationId)?.find((w) => w.userId === this.viewerId)?.read ?? null;
    const pending = this.pendingReads[conversationId];
    if (!pending) return mine;
    const id = parseGlobalId(pending)?.id;
    const list = this.messages(conversationId);
    // A read mark is almost always on one of the newest messages: look from the end.
    for (let i = list.length - 1; i >= 0; i--) {
      const m = list[i] as Message;
      if (m.id === id) return laterOf(mine, { at: m.createdAt, id: m.id });
    }
    return mine;
  }

  view(conversationId: string): ConversationView {
    let view = this.views.get(conversationId);
    if (!view) {
      const record = this.conversations.get(conversationId);
      view = {
        messages: buildMessages({
          conversationId,
          viewerId: this.viewerId,
          messages: this.messages(conversationId),
          outbox: this.outbox.list(conversationId),
          failed: this.outbox.failed(conversationId),
          receipts: this.receipts.get(conversationId) ?? NO_RECEIPTS,
          user: (id) => this.user(id),
          upload: (id) => this.attachments.upload(id),
          rows: this.rowsOf(conversationId),
        }),
        hasOlder: record?.hasOlder ?? false,
        loadingOlder: this.loadingOlder.has(conversationId),
      };
      this.views.set(conversationId, view);
    }
    return view;
  }

  private rowsOf(conversationId: string): MessageRows {
    let rows = this.rows.get(conversationId);
    if (!rows) {
      rows = new MessageRows();
      this.rows.set(conversationId, rows);
    }
    return rows;
  }

  summaryList(): ConversationSummary[] {
    if (!this.summaries) {
      this.summaries = [...this.conversations.values()]
        .map((record) =>
          buildSummary({
            record,
            viewerId: this.viewerId,
            messages: this.messages(record.id),
            oldestHeldSegment: this.segments.ofConversation(record.id)[0]?.segment ?? null,
            read: this.readPosition(record.id),
            user: (id) => this.user(id),
            now: Date.now(),
          }),
        )
        .sort((a, b) => b.updatedAt - a.updatedAt || (a.id < b.id ? -1 : 1));
      this.muteExpiry.set(nextMuteEnd(this.summaries));
    }
    return this.summaries;
  }

  // Write-through record updates.

  async putConversation(record: ConversationRecord): Promise<void> {
    this.conversations.set(record.id, record);
    this.changed(record.id);
    await this.db.put('conversations', record);
  }

  async putUsers(users: User[]): Promise<void> {
    if (users.length === 0) return;
    for (const u of users) this.users.set(u.id, u);
    this.changed();
    const tx = this.db.transaction('users', 'readwrite');
    await Promise.all([...users.map((u) => tx.store.put(u)), tx.done]);
  }

  async putReceipts(conversationId: string, members: Watermark[]): Promise<void> {
    this.receipts.set(conversationId, members);
    this.changed(conversationId);
    await this.db.put('receipts', { conversationId, members });
  }

  async setSession(session: Session): Promise<void> {
    this.session = session;
    this.users.set(session.user.id, session.user);
    this.changed();
    await setMeta(this.db, 'session', session);
  }

  async setSignInExpiry(at: number): Promise<void> {
    if (!Number.isFinite(at) || at === this.signInExpiresAt) return;
    this.signInExpiresAt = at;
    this.changed();
    await setMeta(this.db, 'signInExpiresAt', at);
  }

  async setCursor(cursor: string): Promise<void> {
    this.cursor = cursor;
    await setMeta(this.db, 'cursor', cursor);
  }

  async setPendingReads(reads: Record<string, string>): Promise<void> {
    this.pendingReads = reads;
    this.changed();
    await setMeta(this.db, 'pendingReads', reads);
  }

  /** Holds a segment document (opening it and recording that it is held). */
  hold(conversationId: string, segment: number): HeldDoc {
    const existing = this.segments.get(conversationId, segment);
    if (existing) return existing;
    const held = this.segments.open(conversationId, segment);
    this.db.put('segments', { conversationId, segment }).catch((e) => console.error('Mailboat: could not record a held segment', e));
    return held;
  }

  /**
   * Drops a conversation's documents and records from the device. Its queued writes can no
   * longer reach anyone: they are moved aside as failed (NOT_FOUND) and stay visible.
   */
  async dropConversation(conversationId: string): Promise<void> {
    for (const e of this.outbox.list(conversationId)) {
      this.outbox.fail(e, { code: ErrorCode.NOT_FOUND, message: 'You are no longer in this conversation', retryable: false });
    }
    for (const h of this.segments.ofConversation(conversationId)) {
      await this.segments.drop(conversationId, h.segment);
      await this.db.delete('segments', [conversationId, h.segment]);
    }
    this.conversations.delete(conversationId);
    this.receipts.delete(conversationId);
    this.rows.delete(conversationId);
    await this.db.delete('conversations', conversationId);
    await this.db.delete('receipts', conversationId);
    this.changed(conversationId);
  }

  async close(): Promise<void> {
    this.muteExpiry.cancel();
    await this.preview?.close(); // while the documents it is built from are still open
    await this.outbox.settled();
    await this.segments.close();
    this.db.close();
  }

  /**
   * Closes and deletes everything this account kept on the device: the screen snapshot
   * (first, at once, so no later launch paints this account's screen), its database and
   * every segment database it holds, opened, or (where the browser can list them) left behind.
   */
  async wipe(): Promise<void> {
    const uid = this.viewerId;
    this.snapshots.forget();
    const held = await this.db.getAll('segments').catch(() => []);
    await this.close();
    const names = new Set([...held.map((h) => segmentDbName(uid, h.conversationId, h.segment)), ...this.segments.openedNames()]);
    const listed = await this.factory.databases?.().catch(() => []);
    for (const d of listed ?? []) if (d.name?.startsWith(`${accountDbName(uid)}:`)) names.add(d.name);
    for (const name of names) await deleteDatabase(this.factory, name);
    await deleteDatabase(this.factory, accountDbName(uid));
  }
}

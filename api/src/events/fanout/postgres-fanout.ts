import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import pg from 'pg';
import type { Db } from '../../db/connect.js';
import type { AccountEvent, DeviceSignal, PubSub } from '../pubsub.js';
import { encodeNotices, type Notice, noticePrefix, type Outgoing, parseNotice, type SharedPayload, type SharedTopic } from './wire.js';

export type FanoutOptions = {
  /** The database every node shares; the listener gets its own connection to it. */
  url: string;
  /** The pool notifications are sent through (and large updates read back from). */
  db: Db;
  /** This node's own pubsub: remote events are delivered to it, and interruptions announced on it. */
  local: PubSub;
  channel?: string;
  log?: (message: string) => void;
  /** Reconnect backoff bounds and the listener's liveness check period, in ms. */
  timing?: { minRetryMs?: number; maxRetryMs?: number; heartbeatMs?: number };
};

export type FanoutStats = {
  sent: number;
  received: number;
  ignoredOwn: number;
  references: number;
  dropped: number;
  interruptions: number;
};

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const SEND_BATCH = 200;
const SEND_ATTEMPTS = 5;

/**
 * Fan-out between API nodes over Postgres LISTEN/NOTIFY, on one channel.
 *
 * Contract: an event published on this node reaches this node's subscribers at once (the
 * caller does that) and every other node's subscribers once, in publish order, unless an
 * interruption is announced. Each node holds ONE dedicated listening connection (not from
 * the pool) and ignores its own notifications, so nobody hears an event twice. Events are
 * sent after the caller's commit, batched per event loop turn and serially, through the
 * pool. Notifications carry at most 7,900 bytes: ids are split over several; a segment
 * update over that travels as a reference, read back from segment_updates by the receivers
 * (dropped if compaction already folded it into the snapshot: devices then catch up by
 * state vector, as after any gap).
 *
 * Whenever this node may have missed events — the listening connection dropped, came back,
 * or a node's numbering skipped — it publishes `eventsInterrupted` on its `node` topic, and
 * every open event stream here ends so its client reconnects and catches up from the
 * database. A revocation is therefore never missed silently.
 */
export class PostgresFanout {
  readonly nodeId = randomUUID();
  private readonly ownPrefix = noticePrefix(this.nodeId);
  readonly stats: FanoutStats = { sent: 0, received: 0, ignoredOwn: 0, references: 0, dropped: 0, interruptions: 0 };
  private readonly channel: string;
  private readonly log: (message: string) => void;
  private readonly minRetryMs: number;
  private readonly maxRetryMs: number;
  private listener: pg.Client | undefined;
  private pending: Outgoing[] = [];
  private outbox: string[] = [];
  private sending: Promise<void> | undefined;
  private n = 0;
  private readonly lastSeen = new Map<string, number>();
  private receiving: Promise<void> = Promise.resolve();
  private retryMs: number;
  private reconnectTimer: NodeJS.Timeout | undefined;
  private readonly heartbeat: NodeJS.Timeout;
  private closed = false;

  private constructor(private readonly options: FanoutOptions) {
    this.channel = options.channel ?? 'mailboat_events';
    this.log = options.log ?? ((message) => console.error(`[fanout] ${message}`));
    this.minRetryMs = options.timing?.minRetryMs ?? 100;
    this.maxRetryMs = options.timing?.maxRetryMs ?? 5000;
    this.retryMs = this.minRetryMs;
    this.heartbeat = setInterval(() => void this.checkListener(), options.timing?.heartbeatMs ?? 10_000);
    this.heartbeat.unref();
  }

  /** Connects the listener; throws when it cannot (a node must not serve without it). */
  static async start(options: FanoutOptions): Promise<PostgresFanout> {
    const fanout = new PostgresFanout(options);
    try {
      fanout.listener = await fanout.connect();
    } catch (e) {
      clearInterval(fanout.heartbeat);
      throw e;
    }
    return fanout;
  }

  /** True while the listener is connected (this node hears the others). */
  get listening(): boolean {
    return this.listener !== undefined;
  }

  /** Queues an event (already delivered locally) for the other nodes; call after commit. */
  readonly forward = (topic: SharedTopic, id: string, payload: AccountEvent | DeviceSignal): void => {
    if (this.closed) return;
    if (this.pending.length === 0) queueMicrotask(() => this.flushPending());
    const last = this.pending.at(-1);
    // publishToUsers publishes one event object to many users in a row: one notification for all.
    if (last && last.topic === topic && last.payload === payload) last.ids.push(id);
    else this.pending.push({ topic, ids: [id], payload });
  };

  /** Sends what is queued, stops listening. */
  async close(): Promise<void> {
    this.flushPending();
    this.closed = true;
    clearInterval(this.heartbeat);
    clearTimeout(this.reconnectTimer);
    while (this.sending) await this.sending;
    const listener = this.listener;
    this.listener = undefined;
    await listener?.end().catch(() => undefined);
    await this.receiving;
  }

  private flushPending(): void {
    const pending = this.pending;
    this.pending = [];
    for (const out of pending) {
      const texts = encodeNotices(this.nodeId, this.n + 1, out);
      if (texts.length === 0) {
        this.stats.dropped++;
        this.log(`a ${out.payload.kind} event is too large for a notification; not sent to other nodes`);
        continue;
      }
      this.n += texts.length;
      this.outbox.push(...texts);
    }
    this.kick();
  }

  private kick(): void {
    if (this.sending || this.outbox.length === 0) return;
    this.sending = this.drain().finally(() => {
      this.sending = undefined;
      this.kick();
    });
  }

  /** Sends the outbox in order, a batch per statement (one round trip, delivered in order). */
  private async drain(): Promise<void> {
    while (this.outbox.length > 0) {
      const batch = this.outbox.splice(0, SEND_BATCH);
      for (let attempt = 1; ; attempt++) {
        try {
          await sql`select pg_notify(${this.channel}, x) from unnest(${batch}::text[]) as x`.execute(this.options.db);
          this.stats.sent += batch.length;
          break;
        } catch (e) {
          if (attempt >= SEND_ATTEMPTS) {
            // The other nodes notice the gap in our numbering and end their event streams.
            this.stats.dropped += batch.length;
            this.log(`could not notify other nodes (${(e as Error).message}); ${batch.length} events not sent`);
            break;
          }
          await sleep(50 * 2 ** attempt);
        }
      }
    }
  }

  private async connect(): Promise<pg.Client> {
    const client = new pg.Client({ connectionString: this.options.url, keepAlive: true, application_name: 'mailboat-fanout' });
    client.on('error', (e) => this.lost(client, e));
    client.on('end', () => this.lost(client));
    client.on('notification', (m) => {
      if (m.channel === this.channel && m.payload && !this.closed) this.receive(m.payload);
    });
    try {
      await client.connect();
      await client.query(`listen ${client.escapeIdentifier(this.channel)}`);
    } catch (e) {
      client.removeAllListeners('end');
      await client.end().catch(() => undefined);
      throw e;
    }
    return client;
  }

  private receive(text: string): void {
    if (text.startsWith(this.ownPrefix)) {
      this.stats.ignoredOwn++; // every node hears its own notifications too; skipped unparsed
      return;
    }
    let notice: Notice;
    try {
      notice = parseNotice(text);
    } catch {
      this.log('ignored a notification that is not JSON');
      return;
    }
    this.stats.received++;
    const last = this.lastSeen.get(notice.o);
    if (last !== undefined && notice.n !== last + 1) this.interrupt(`node ${notice.o} skipped from ${last} to ${notice.n}`);
    this.lastSeen.set(notice.o, notice.n);
    // One chain keeps delivery in arrival order while a reference is read back.
    this.receiving = this.receiving.then(() => this.deliver(notice));
  }

  private async deliver(notice: Notice): Promise<void> {
    let payload: SharedPayload = notice.p;
    if (notice.ref && payload.kind === 'segmentUpdated') {
      this.stats.references++;
      const row = await this.options.db
        .selectFrom('segment_updates')
        .select('update')
        .where('conversation_id', '=', payload.conversationId)
        .where('segment', '=', payload.segment)
        .where('seq', '=', payload.seq)
        .executeTakeFirst()
        .catch(() => undefined);
      if (!row) {
        this.stats.dropped++; // compacted away (or unreadable): devices catch up by state vector
        return;
      }
      payload = { ...payload, update: row.update };
    }
    for (const id of notice.i) this.options.local.publish(notice.t, id, payload as never);
  }

  private lost(client: pg.Client, error?: Error): void {
    if (client !== this.listener || this.closed) return;
    this.listener = undefined;
    client.end().catch(() => undefined);
    this.interrupt(`the listening connection was lost${error ? ` (${error.message})` : ''}; reconnecting`);
    this.scheduleReconnect();
  }

  private scheduleReconnect(): void {
    const delay = this.retryMs * (0.5 + Math.random() / 2);
    this.retryMs = Math.min(this.retryMs * 2, this.maxRetryMs);
    this.reconnectTimer = setTimeout(async () => {
      if (this.closed) return;
      try {
        const client = await this.connect();
        if (this.closed) {
          await client.end().catch(() => undefined);
          return;
        }
        this.listener = client;
        this.retryMs = this.minRetryMs;
        // Streams opened while we were deaf may have missed events as well.
        this.interrupt('listening again');
      } catch {
        this.scheduleReconnect();
      }
    }, delay);
  }

  /** Ends every open event stream on this node: its clients reconnect and catch up. */
  private interrupt(reason: string): void {
    this.stats.interruptions++;
    this.lastSeen.clear();
    this.log(`events may have been missed: ${reason}`);
    this.options.local.publish('node', { kind: 'eventsInterrupted' });
  }

  /** Catches a half-open listening connection (no error, but nothing arrives either). */
  private async checkListener(): Promise<void> {
    const client = this.listener;
    if (!client) return;
    let timer: NodeJS.Timeout | undefined;
    try {
      await Promise.race([
        client.query('select 1'),
        new Promise((_, reject) => {
          timer = setTimeout(() => reject(new Error('no answer in 5 s')), 5000);
        }),
      ]);
    } catch (e) {
      this.lost(client, e as Error);
    } finally {
      clearTimeout(timer);
    }
  }
}

import fc from 'fast-check';
import * as encoding from 'lib0/encoding';
import * as Y from 'yjs';
import { createMessageV1, editMessageV1 } from '../src/doc/legacy-writes.js';
import { createMessage, deleteMessage, editMessage, listMessages, messagesOf, nextVersionAt, setReaction } from '../src/index.js';
import { encodeUpdate, gc, groupsOf } from './craft.js';
import { HOSTILE_KINDS, type Hostile, hostileUpdate } from './fuzz-hostile.js';
import type { ServerSim } from './server-sim.js';

/**
 * A conversation for property-based tests: Ana and Bo write honestly from one device each
 * (creations in both contract versions, edits, deletions, reactions), queue their updates in
 * an outbox and deliver them in every way a device may (one by one, merged with
 * Y.mergeUpdates, re-encoded from an older state vector so they straddle what the server has,
 * split at a clock, re-sent, out of order). Mallory writes from a sandbox device too and sends
 * hostile updates derived from everything she has seen: structs moved to other offsets and
 * clocks, re-parented through origins, right origins and parents, references to later clocks,
 * cycles, Skips, garbage, a client listed twice, delete sets over anyone's ranges.
 *
 * Each command is plain data (so fast-check shrinks it); `run` plays commands against a
 * ServerSim and throws when an honest delivery is refused or the server's push path disagrees
 * with Yjs. The transcript of pushes can be replayed against the real API.
 */

export type Users = { ana: string; bo: string; mal: string };
/** One push: who sent it, what, and what the server answered; `source` is 'honest', 'sandbox' (Mallory's own device) or the hostile kind. */
export type Push = { userId: string; update: Uint8Array; outcome: string; source: string };

const CLIENTS = { ana: 11, bo: 22, mal: 33 } as const;
const EMOJI = ['👍', '🎉', '🇫🇷', null] as const;
const WHO = ['ana', 'bo', 'mal'] as const;
type Who = (typeof WHO)[number];

const DELIVERIES = ['all', 'first', 'merged', 'reencoded', 'random', 'resend', 'prefix', 'tail'] as const;

export type Command =
  | { t: 'create'; who: number; v1: boolean; text: string; reply: number }
  | { t: 'edit'; who: number; pick: number; text: string }
  | { t: 'delete'; who: number; pick: number }
  | { t: 'react'; who: number; pick: number; emoji: number }
  /** `prefix` (a cut inside a transaction) is a delivery of Mallory's only; an honest device pushes its first transaction whole instead. */
  | { t: 'push'; who: number; how: (typeof DELIVERIES)[number]; pick: number; cut: number }
  | { t: 'sync'; who: number }
  | ({ t: 'hostile' } & Hostile);

const text = (v1: boolean) =>
  fc
    .string({ unit: fc.constantFrom(...(v1 ? ['a', 'b', 'é', ' '] : ['a', 'b', 'é', ' ', '🙂'])), minLength: 0, maxLength: 8 })
    .map((s) => `${s}z`);
const n = fc.nat({ max: 1000 });
const who = fc.nat({ max: 2 });

export const honestCommand: fc.Arbitrary<Command> = fc.oneof(
  {
    weight: 4,
    arbitrary: fc
      .boolean()
      .chain((v1) => fc.record({ t: fc.constant('create' as const), who, v1: fc.constant(v1), text: text(v1), reply: n })),
  },
  { weight: 3, arbitrary: fc.record({ t: fc.constant('edit' as const), who, pick: n, text: text(false) }) },
  { weight: 1, arbitrary: fc.record({ t: fc.constant('delete' as const), who, pick: n }) },
  { weight: 2, arbitrary: fc.record({ t: fc.constant('react' as const), who, pick: n, emoji: fc.nat({ max: EMOJI.length - 1 }) }) },
  { weight: 5, arbitrary: fc.record({ t: fc.constant('push' as const), who, how: fc.constantFrom(...DELIVERIES), pick: n, cut: n }) },
  { weight: 2, arbitrary: fc.record({ t: fc.constant('sync' as const), who }) },
);

export const hostileCommand: fc.Arbitrary<Command> = fc.record({
  t: fc.constant('hostile' as const),
  kind: fc.constantFrom(...HOSTILE_KINDS),
  a: n,
  b: n,
  c: n,
  d: n,
});

export const anyCommand = fc.oneof({ weight: 3, arbitrary: honestCommand }, { weight: 1, arbitrary: hostileCommand });

type Device = {
  who: Who;
  userId: string;
  doc: Y.Doc;
  /** Local updates not acknowledged yet, oldest first, each with the state vector before it. */
  outbox: { update: Uint8Array; before: Uint8Array }[];
  /** Updates acknowledged, for re-sending, each with the state vector before it. */
  acked: { update: Uint8Array; before: Uint8Array }[];
};

export class FuzzWorld {
  readonly devices: Record<Who, Device>;
  readonly transcript: Push[] = [];
  private ids = 0;

  constructor(
    readonly server: ServerSim,
    readonly users: Users,
    /** The createdAt of the first message; later ones count up by one ms. */
    private readonly base: number,
    /** Where message ids start (two worlds in one test must not share ids). */
    private readonly idBase = 1,
  ) {
    this.devices = { ana: this.device('ana'), bo: this.device('bo'), mal: this.device('mal') };
  }

  /** A copy of this world (server, log, devices, outboxes) to play other commands from. */
  fork(): FuzzWorld {
    const server = this.server.fork();
    const copy = new FuzzWorld(server, this.users, this.base, this.idBase);
    copy.ids = this.ids;
    for (const w of WHO) {
      const from = this.devices[w];
      const to = copy.devices[w];
      Y.applyUpdate(to.doc, Y.encodeStateAsUpdate(from.doc), 'server');
      to.outbox.push(...from.outbox);
      to.acked.push(...from.acked);
    }
    return copy;
  }

  private device(w: Who): Device {
    const doc = new Y.Doc();
    doc.clientID = CLIENTS[w];
    const d: Device = { who: w, userId: this.users[w], doc, outbox: [], acked: [] };
    let before = Y.encodeStateVector(doc);
    doc.on('update', (update: Uint8Array, origin: unknown) => {
      if (origin === 'local') d.outbox.push({ update, before });
      before = Y.encodeStateVector(doc);
    });
    return d;
  }

  private uuid(): string {
    const k = this.idBase + this.ids++;
    return `0190a000-0000-7000-8000-${String(k).padStart(12, '0')}`;
  }

  private push(d: Device | 'mal', update: Uint8Array, source: string): string {
    const userId = d === 'mal' ? this.users.mal : d.userId;
    const outcome = this.server.push(userId, update);
    this.transcript.push({ userId, update, outcome, source });
    if (outcome === 'INTEGRATION_FAILED') throw new Error('the rules accepted an update Yjs integrated otherwise');
    return outcome;
  }

  run(commands: Command[]): void {
    for (const c of commands) this.play(c);
  }

  /** Delivers every outbox in order and syncs every device: honest ones must then hold what the server holds. */
  settle(): void {
    for (const w of WHO) this.deliver(this.devices[w], 'all', 0, 0);
    for (const w of WHO) this.sync(this.devices[w]);
  }

  play(c: Command): void {
    if (c.t === 'hostile') {
      this.hostile(c);
      return;
    }
    const d = this.devices[WHO[c.who % 3] as Who];
    const mine = () => listMessages(d.doc).filter((m) => m.author === d.userId && !m.deleted);
    const any = listMessages(d.doc);
    switch (c.t) {
      case 'create': {
        const replyTo = c.reply % 3 === 0 && any.length > 0 ? (any[c.reply % any.length] as { id: string }).id : undefined;
        const m = { id: this.uuid(), author: d.userId, createdAt: this.base + this.ids, text: c.text, replyTo };
        if (c.v1) createMessageV1(d.doc, m, 'local');
        else createMessage(d.doc, m, 'local');
        return;
      }
      case 'edit': {
        const m = mine()[c.pick % Math.max(1, mine().length)];
        if (!m) return;
        const legacy = messagesOf(d.doc).get(m.id)?.get('text') instanceof Y.Text;
        if (legacy && c.pick % 2 === 0) editMessageV1(d.doc, m.id, c.text.replace('🙂', 'o'), this.base + this.ids++, 'local');
        else editMessage(d.doc, m.id, c.text, nextVersionAt(d.doc, m.id, this.base + this.ids), this.uuid(), 'local');
        return;
      }
      case 'delete': {
        const m = mine()[c.pick % Math.max(1, mine().length)];
        if (m) deleteMessage(d.doc, m.id, 'local');
        return;
      }
      case 'react': {
        const m = any[c.pick % Math.max(1, any.length)];
        if (m && !(m.reactions[d.userId] === undefined && EMOJI[c.emoji] === null)) {
          setReaction(d.doc, m.id, d.userId, EMOJI[c.emoji] ?? null, 'local');
        }
        return;
      }
      case 'push':
        this.deliver(d, c.how, c.pick, c.cut);
        return;
      case 'sync':
        this.sync(d);
        return;
    }
  }

  private sync(d: Device): void {
    Y.applyUpdate(d.doc, Y.encodeStateAsUpdate(this.server.doc, Y.encodeStateVector(d.doc)), 'server');
  }

  /** Delivers part or all of an outbox. Honest devices' in-order deliveries must be accepted (or be duplicates). */
  private deliver(d: Device, how: (typeof DELIVERIES)[number], pick: number, cut: number): void {
    const box = d.outbox;
    const honest = d.who !== 'mal';
    const source = honest ? 'honest' : 'sandbox';
    const expectStored = (outcome: string, what: string) => {
      if (outcome === 'accepted' || outcome === 'duplicate') return true;
      if (honest) throw new Error(`${d.who}'s ${what} was refused: ${outcome} (${this.server.lastRefusal})`);
      return false;
    };
    const ack = (from: number, to: number) => d.acked.push(...box.splice(from, to - from));
    if (how === 'resend') {
      const again = d.acked[pick % Math.max(1, d.acked.length)];
      if (again) expectStored(this.push(d, again.update, source), 're-sent update');
      return;
    }
    if (box.length === 0) return;
    const first = box[0] as { update: Uint8Array; before: Uint8Array };
    // A cut inside a transaction is Mallory's alone: it strands the rest of the transaction (a
    // creation without its replyTo, say, makes the rest a forbidden change), and one inside an
    // emoji of a v1 text stores U+FFFD for each half on the server (Yjs writes strings as
    // UTF-8), while the device keeps the emoji. Devices push whole transactions.
    switch (how === 'prefix' && honest ? 'first' : how) {
      case 'all':
        while (box.length > 0) {
          if (!expectStored(this.push(d, (box[0] as { update: Uint8Array }).update, source), 'update')) return;
          ack(0, 1);
        }
        return;
      case 'first':
        if (expectStored(this.push(d, first.update, source), 'first update')) ack(0, 1);
        return;
      case 'merged': {
        const k = 1 + (pick % box.length);
        if (expectStored(this.push(d, Y.mergeUpdates(box.slice(0, k).map((e) => e.update)), source), 'merged updates')) ack(0, k);
        return;
      }
      case 'reencoded': {
        // From the state before the first unacknowledged update, or from an older one: it straddles what the server has.
        const older =
          d.acked.length > 0 && pick % 2 === 0 ? (d.acked[pick % d.acked.length] as { before: Uint8Array }).before : first.before;
        if (expectStored(this.push(d, Y.encodeStateAsUpdate(d.doc, older), source), 're-encoded update')) ack(0, box.length);
        return;
      }
      case 'random': {
        const i = pick % box.length;
        const outcome = this.push(d, (box[i] as { update: Uint8Array }).update, source);
        if (outcome === 'accepted' || outcome === 'duplicate') ack(i, i + 1);
        else if (honest && i === 0) throw new Error(`${d.who}'s oldest update was refused: ${outcome}`);
        else if (honest && outcome !== 'MISSING_DEPENDENCIES' && outcome !== 'FORBIDDEN_UPDATE:reply') {
          throw new Error(`${d.who}'s update out of order was refused: ${outcome}`);
        }
        return;
      }
      case 'prefix':
        this.push(d, prefixOf(first.update, d.doc.clientID, cut), `${source} prefix`);
        return;
      case 'tail':
        this.push(
          d,
          Y.diffUpdate(first.update, stateVector(d.doc.clientID, startOf(first.update, d.doc.clientID) + (cut % 4))),
          `${source} tail`,
        );
        return;
    }
  }

  /** A hostile update from Mallory (fuzz-hostile.ts), derived from what she has seen; any outcome but a wrong integration. */
  private hostile(c: Extract<Command, { t: 'hostile' }>): void {
    const scene = {
      doc: this.server.doc,
      sources: [...this.server.log, ...this.devices.mal.outbox.map((e) => e.update)],
      mal: this.users.mal,
      newId: () => this.uuid(),
      now: () => this.base + this.ids,
    };
    const update = hostileUpdate(scene, c);
    if (update) this.push('mal', update, c.kind);
  }
}

/** A state vector holding only `client` at `clock`. */
function stateVector(client: number, clock: number): Uint8Array {
  const encoder = encoding.createEncoder();
  encoding.writeVarUint(encoder, clock > 0 ? 1 : 0);
  if (clock > 0) {
    encoding.writeVarUint(encoder, client);
    encoding.writeVarUint(encoder, clock);
  }
  return encoding.toUint8Array(encoder);
}

function startOf(update: Uint8Array, client: number): number {
  return Y.parseUpdateMeta(update).from.get(client) ?? 0;
}

/** The first `cut` (mod its length) clocks of `client`'s structs in `update`, no deletions: a causal prefix. */
function prefixOf(update: Uint8Array, client: number, cut: number): Uint8Array {
  const structs = Y.decodeUpdate(update).structs.filter((s): s is Y.Item | Y.GC => s.id.client === client && !(s instanceof Y.Skip));
  if (structs.length === 0) return update;
  const from = (structs[0] as Y.Item).id.clock;
  const total = structs.reduce((sum, s) => sum + s.length, 0);
  const end = from + 1 + (cut % total);
  const kept: (Y.Item | Y.GC)[] = [];
  for (const s of structs) {
    if (s.id.clock >= end) break;
    if (s.id.clock + s.length <= end || !(s instanceof Y.Item))
      kept.push(s instanceof Y.GC ? gc(client, s.id.clock, Math.min(s.length, end - s.id.clock)) : s);
    else {
      const content = s.content.copy();
      content.splice(end - s.id.clock);
      kept.push(new Y.Item(s.id, null, s.origin, null, s.rightOrigin, s.parent as never, s.parentSub, content));
    }
  }
  return encodeUpdate(groupsOf(kept));
}

/** `count` command lists of `length` commands (honest and hostile mixed), the same for the same seed. */
export function sampleCommands(seed: number, count: number, length: number): Command[][] {
  return fc.sample(fc.array(anyCommand, { minLength: length, maxLength: length }), { seed, numRuns: count });
}

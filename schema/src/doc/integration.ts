import * as decoding from 'lib0/decoding';
import * as Y from 'yjs';
import { UpdateRefusedError } from './refusals.js';

/**
 * What Yjs 13.6 will do with the structs of an update when it applies them to a document,
 * worked out without touching the document: a step-by-step model of `integrateStructs`,
 * `Item.getMissing` and `Item.integrate` (yjs/src/utils/encoding.js, yjs/src/structs/Item.js).
 *
 * The write rules judge what this model says lands, where it lands. Contract:
 * - a struct whose first clocks the document already has is judged as Yjs integrates it: only
 *   its unknown tail, from its real offset, next to its client's item just before that tail
 *   (its real left), in the parent Yjs resolved from the struct's own origin, right origin or
 *   parent;
 * - the update is refused (UpdateRefusedError) whenever Yjs would not integrate all of it
 *   cleanly: MISSING_DEPENDENCIES when Yjs would leave structs pending (a gap, an unknown
 *   reference, a cycle of references between clients), MALFORMED_UPDATE when Yjs would throw
 *   (a reference to a clock of the struct's own client not integrated before it), when the
 *   bytes are read differently by Yjs' two readers (a client listed twice or with no structs),
 *   for empty structs, and when a struct would be linked between neighbours that sit elsewhere
 *   than its parent (a trimmed tail whose real left, or an item whose right origin, is in
 *   another parent or under another key): the live document and a document rebuilt from the
 *   stored update would then disagree.
 */

export type Struct = Y.Item | Y.GC | Y.Skip;

/** Where an item lands: the name of a root type, or the item that holds the shared type it lands in. */
export type ParentRef = string | Y.Item;

/** How a type is named as a parent: its item, or for a root type its name (kept in `rootNames`, so it is looked up once). */
export function parentRefOf(type: Y.AbstractType<unknown>, rootNames: Map<Y.AbstractType<unknown>, string>): ParentRef {
  if (type._item !== null) return type._item;
  let name = rootNames.get(type);
  if (name === undefined) {
    name = Y.findRootTypeKey(type);
    rootNames.set(type, name);
  }
  return name;
}

/** Parent and key of an item; null for garbage (a GC struct, or an item Yjs turns into one). */
export type Place = { parent: ParentRef; sub: string | null } | null;

/** One struct of the update as Yjs integrates it. */
export type Landing = {
  /** The decoded struct, trimmed as Yjs trims it: id, content and length start at its real offset. */
  struct: Y.Item | Y.GC;
  /** How many of its first clocks the document had already (Yjs skips them). */
  offset: number;
  /** Where it lands; null when it is integrated as garbage (a GC struct). */
  place: Place;
};

export const missing = () =>
  new UpdateRefusedError('MISSING_DEPENDENCIES', 'The update depends on changes the server does not have: resync from the state vector');
export const malformed = (why: string) => new UpdateRefusedError('MALFORMED_UPDATE', `Malformed update: ${why}`);

/** The same place (parent and key) for two non-garbage places. */
export const samePlace = (a: Place, b: Place): boolean => a !== null && b !== null && a.parent === b.parent && a.sub === b.sub;

type Refs = { i: number; refs: Struct[] };
/** A struct as the document holds it after the update: one of the document's, or a landing. */
type Resident = Y.Item | Y.GC | Landing;

/**
 * The update's structs integrated into `doc`, as Yjs would. Throws UpdateRefusedError (see the
 * file's contract). `structs` are those Y.decodeUpdate read from `update`, in order; the
 * structs that land are mutated into their trimmed form. Never modifies `doc`.
 */
export class Integration {
  /** Every struct that lands, in the order Yjs integrates them. */
  readonly landings: Landing[] = [];
  private readonly byStruct = new Map<Struct, Landing>();
  private readonly landed = new Map<number, Landing[]>();
  private readonly states = new Map<number, number>();
  private readonly rootNames = new Map<Y.AbstractType<unknown>, string>();

  constructor(
    private readonly doc: Y.Doc,
    update: Uint8Array,
    structs: Struct[],
  ) {
    this.run(readClientRefs(update, structs));
  }

  /** The clock of `client` once the update is integrated. */
  state(client: number): number {
    return this.states.get(client) ?? Y.getState(this.doc.store, client);
  }

  /** The landings of `client`'s structs, in clock order. */
  landingsOf(client: number): readonly Landing[] {
    return this.landed.get(client) ?? [];
  }

  /** How `struct` (of the update) lands; undefined when it does not (the document has all of it). */
  landingOf(struct: Struct): Landing | undefined {
    return this.byStruct.get(struct);
  }

  /** The place of an item of the document. */
  placeOfItem(item: Y.Item): Place {
    return { parent: this.refOf(item.parent as Y.AbstractType<unknown>), sub: item.parentSub };
  }

  /**
   * Calls `visit` with each struct holding a clock of `client` in [from, to) once the update is
   * integrated (to <= state(client)): the document's structs, and the landings' (trimmed) ones,
   * with their landing.
   */
  forEachIn(client: number, from: number, to: number, visit: (struct: Y.Item | Y.GC, landing?: Landing) => void): void {
    const known = Y.getState(this.doc.store, client);
    if (from < known) {
      const structs = this.doc.store.clients.get(client) as (Y.Item | Y.GC)[];
      for (let i = Y.findIndexSS(structs, from); i < structs.length && (structs[i] as Y.Item).id.clock < Math.min(to, known); i++) {
        visit(structs[i] as Y.Item | Y.GC);
      }
    }
    for (const landing of this.landed.get(client) ?? []) {
      const { clock } = landing.struct.id;
      if (clock < to && clock + landing.struct.length > from) visit(landing.struct, landing);
    }
  }

  /** The loop of Yjs' integrateStructs, step for step: clients by descending ID, depth first through missing references. */
  private run(clientRefs: Map<number, Refs>): void {
    const stack: Struct[] = [];
    const ids = [...clientRefs.keys()].sort((a, b) => a - b);
    const nextTarget = (): Refs | null => {
      while (ids.length > 0) {
        const target = clientRefs.get(ids[ids.length - 1] as number) as Refs;
        if (target.i < target.refs.length) return target;
        ids.pop();
      }
      return null;
    };
    let current = nextTarget();
    if (current === null) return;
    let head = current.refs[current.i++] as Struct;
    for (;;) {
      if (!(head instanceof Y.Skip)) {
        const offset = this.state(head.id.client) - head.id.clock;
        if (offset < 0) throw missing(); // Yjs: pending (an earlier change of the same client is missing)
        const need = head instanceof Y.Item ? this.missingClient(head) : null;
        if (need !== null) {
          stack.push(head);
          const refs = clientRefs.get(need);
          if (!refs || refs.i === refs.refs.length) throw missing(); // Yjs: pending (or a cycle of references)
          head = refs.refs[refs.i++] as Struct;
          continue;
        }
        const place = head instanceof Y.Item ? this.resolve(head) : null;
        if (offset < head.length) this.land(head as Y.Item | Y.GC, offset, place);
      }
      if (stack.length > 0) head = stack.pop() as Struct;
      else if (current !== null && current.i < current.refs.length) head = current.refs[current.i++] as Struct;
      else {
        current = nextTarget();
        if (current === null) return;
        head = current.refs[current.i++] as Struct;
      }
    }
  }

  /** Item.getMissing's first half: the client of a reference to another client's change not integrated yet. */
  private missingClient(item: Y.Item): number | null {
    const { client } = item.id;
    for (const ref of [item.origin, item.rightOrigin, item.parent instanceof Y.ID ? item.parent : null]) {
      if (ref && ref.client !== client && ref.clock >= this.state(ref.client)) return ref.client;
    }
    return null;
  }

  /**
   * Item.getMissing's second half: where the item goes, from its origin's item (left), else its
   * right origin's, else its parent; garbage when a neighbour or the parent is garbage.
   */
  private resolve(item: Y.Item): Place {
    const own = item.id.client;
    const left = item.origin ? this.resident(item.origin, own) : null;
    const right = item.rightOrigin ? this.resident(item.rightOrigin, own) : null;
    const leftPlace = left && this.placeOf(left);
    const rightPlace = right && this.placeOf(right);
    if ((left && leftPlace === null) || (right && rightPlace === null)) return null;
    const parent = item.parent as Y.ID | string | null;
    let place: Place;
    if (parent === null) place = (leftPlace ?? rightPlace) as Place;
    else if (typeof parent === 'string') place = { parent, sub: item.parentSub };
    else place = this.holderPlace(this.resident(parent, own), item.parentSub);
    if (place !== null && rightPlace && !samePlace(place, rightPlace)) {
      throw malformed('an item whose right origin sits in another parent or under another key');
    }
    return place;
  }

  /** Item.integrate: trims what the document has, takes the real left; garbage when it has no place. */
  private land(struct: Y.Item | Y.GC, offset: number, place: Place): void {
    const { client } = struct.id;
    if (offset > 0 && place !== null) {
      const left = this.at(client, struct.id.clock + offset - 1);
      const leftPlace = this.placeOf(left);
      if (leftPlace === null) throw malformed('a change whose known part ends in garbage');
      if (!samePlace(leftPlace, place)) throw malformed('a change whose known part sits in another parent or under another key');
    }
    if (offset > 0) {
      struct.id.clock += offset;
      if (struct instanceof Y.Item) struct.content = struct.content.splice(offset);
      struct.length -= offset;
    }
    const landing: Landing = { struct, offset, place };
    this.landings.push(landing);
    this.byStruct.set(struct, landing);
    const list = this.landed.get(client) ?? [];
    list.push(landing);
    this.landed.set(client, list);
    this.states.set(client, struct.id.clock + struct.length);
  }

  /** The struct holding `id`, referenced by a struct of client `own`; Yjs throws for a clock of its own client not integrated yet. */
  private resident(id: Y.ID, own: number): Resident {
    if (id.clock >= this.state(id.client)) {
      if (id.client === own) throw malformed('a change that refers to a later change of its own client');
      throw new Error('unreachable: references to other clients are checked before'); // see missingClient
    }
    return this.at(id.client, id.clock);
  }

  /** The struct holding (client, clock), which must be below state(client). */
  private at(client: number, clock: number): Resident {
    if (clock < Y.getState(this.doc.store, client)) return Y.getItem(this.doc.store, Y.createID(client, clock)) as Y.Item | Y.GC;
    const list = this.landed.get(client) as Landing[];
    let lo = 0;
    let hi = list.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      const landing = list[mid] as Landing;
      if (clock < landing.struct.id.clock) hi = mid - 1;
      else if (clock >= landing.struct.id.clock + landing.struct.length) lo = mid + 1;
      else return landing;
    }
    throw new Error(`unreachable: no struct holds ${client}:${clock}`);
  }

  private placeOf(resident: Resident): Place {
    if (resident instanceof Y.GC) return null;
    if (resident instanceof Y.Item) return this.placeOfItem(resident);
    return resident.place;
  }

  /** Where an item lands under the parent `holder`: garbage when the holder is (or holds no longer) a shared type. */
  private holderPlace(holder: Resident, sub: string | null): Place {
    const item = holder instanceof Y.Item || holder instanceof Y.GC ? holder : holder.place === null ? null : holder.struct;
    if (!(item instanceof Y.Item)) return null;
    if (item.content instanceof Y.ContentType) return { parent: item, sub };
    if (item.content instanceof Y.ContentDeleted) return null; // a type deleted and collected: Yjs makes the item garbage
    throw malformed('a parent that is not a shared type');
  }

  private refOf(type: Y.AbstractType<unknown>): ParentRef {
    return parentRefOf(type, this.rootNames);
  }
}

/**
 * The structs by client, as Yjs' readClientsStructRefs reads them: Y.decodeUpdate's reader
 * returns every client group in turn, while Yjs keeps only the last group of a client, so an
 * update listing a client twice (or with no structs) is refused. Empty structs too.
 */
function readClientRefs(update: Uint8Array, structs: Struct[]): Map<number, Refs> {
  const groups = decoding.readVarUint(decoding.createDecoder(update));
  const byClient = new Map<number, Refs>();
  let previous: number | undefined;
  for (const s of structs) {
    if (s.length <= 0) throw malformed('an empty struct');
    const { client } = s.id;
    if (client !== previous) {
      if (byClient.has(client)) throw malformed(`client ${client} is listed twice`);
      byClient.set(client, { i: 0, refs: [] });
      previous = client;
    }
    (byClient.get(client) as Refs).refs.push(s);
  }
  if (byClient.size !== groups) throw malformed('a client listed twice or with no structs');
  return byClient;
}

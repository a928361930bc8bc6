import * as Y from 'yjs';
import { Field, MESSAGES } from './model.js';
import { UpdateRefusedError } from './refusals.js';

// Where a piece of content sits in the conversation model, decided the way Yjs decides it
// when it integrates a struct: from its parent, or else from its left or right neighbour.

export type Struct = Y.Item | Y.GC | Y.Skip;

/** What a piece of content is in the conversation model, decided by where it sits. */
export type Role =
  | { kind: 'message'; id: string }
  | { kind: 'field'; id: string; field: string }
  | { kind: 'textChar'; id: string }
  | { kind: 'reaction'; id: string; userId: string }
  | { kind: 'dropped' } // Yjs turns it into garbage on arrival (a neighbour was garbage-collected)
  | { kind: 'foreign'; why: string };

export const missing = () =>
  new UpdateRefusedError('MISSING_DEPENDENCIES', 'The update depends on changes the server does not have: resync from the state vector');
export const malformed = (why: string) => new UpdateRefusedError('MALFORMED_UPDATE', `Malformed update: ${why}`);

const MAX_NESTING = 8;

/** Resolves structs of a decoded update (and of the document it targets) to their roles. */
export class Placement {
  private readonly roles = new Map<Struct, Role>();

  constructor(
    private readonly doc: Y.Doc,
    private readonly byClient: Map<number, Struct[]>,
    private readonly fromUpdate: WeakSet<Struct>,
  ) {}

  state(client: number): number {
    return Y.getState(this.doc.store, client);
  }

  /** The struct holding `id`, from the document or from the update; throws when neither has it. */
  lookup(id: Y.ID): Struct {
    if (id.clock < this.state(id.client)) return Y.getItem(this.doc.store, id) as Struct;
    const list = this.byClient.get(id.client) ?? [];
    let lo = 0;
    let hi = list.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      const s = list[mid] as Struct;
      if (id.clock < s.id.clock) hi = mid - 1;
      else if (id.clock >= s.id.clock + s.length) lo = mid + 1;
      else if (s instanceof Y.Skip) throw missing();
      else return s;
    }
    throw missing();
  }

  /** The role of a struct, resolving parents the way Yjs does when it integrates the struct. */
  roleOf(start: Struct, depth: number): Role {
    if (depth > MAX_NESTING) return { kind: 'foreign', why: 'content nested deeper than the conversation model allows' };
    const chain: Struct[] = [];
    const seen = new Set<Struct>();
    let current = start;
    let role: Role | undefined;
    while (role === undefined) {
      const cached = this.roles.get(current);
      if (cached) {
        role = cached;
        break;
      }
      if (seen.has(current)) throw missing(); // a cycle of references Yjs could never integrate
      seen.add(current);
      chain.push(current);
      if (current instanceof Y.GC) {
        role = { kind: 'dropped' };
      } else if (!(current instanceof Y.Item)) {
        throw missing();
      } else if (!this.fromUpdate.has(current)) {
        role = this.roleOfIntegrated(current, depth);
      } else {
        const left = current.origin ? this.lookup(current.origin) : null;
        const right = current.rightOrigin ? this.lookup(current.rightOrigin) : null;
        const parent = current.parent as unknown;
        if (left instanceof Y.GC || right instanceof Y.GC) role = { kind: 'dropped' };
        else if (parent === null) {
          const neighbour = left ?? right;
          if (!neighbour) throw malformed('an item with no parent and no neighbours');
          current = neighbour; // same parent and key as its neighbour
        } else if (typeof parent === 'string') role = this.placeInRoot(parent, current.parentSub);
        else if (parent instanceof Y.ID) role = this.placeUnder(this.lookup(parent), current.parentSub, depth);
        else throw malformed('unexpected parent');
      }
    }
    for (const s of chain) this.roles.set(s, role);
    return role;
  }

  private roleOfIntegrated(item: Y.Item, depth: number): Role {
    const type = item.parent as Y.AbstractType<unknown>;
    if (type._item === null) return this.placeInRoot(Y.findRootTypeKey(type), item.parentSub);
    return this.placeUnder(type._item, item.parentSub, depth);
  }

  private placeInRoot(name: string, key: string | null): Role {
    if (name !== MESSAGES) return { kind: 'foreign', why: `unknown root type "${name.slice(0, 40)}"` };
    if (key === null) return { kind: 'foreign', why: 'the messages map holds only keyed messages' };
    return { kind: 'message', id: key };
  }

  private placeUnder(holder: Struct, key: string | null, depth: number): Role {
    if (holder instanceof Y.GC) return { kind: 'dropped' };
    if (!(holder instanceof Y.Item) || !(holder.content instanceof Y.ContentType)) throw malformed('a parent that is not a shared type');
    const h = this.roleOf(holder, depth + 1);
    if (h.kind === 'dropped' || h.kind === 'foreign') return h;
    if (h.kind === 'message') {
      return key === null ? { kind: 'foreign', why: 'a message holds only named fields' } : { kind: 'field', id: h.id, field: key };
    }
    if (h.kind === 'field' && h.field === Field.text && key === null) return { kind: 'textChar', id: h.id };
    if (h.kind === 'field' && h.field === Field.reactions && key !== null) return { kind: 'reaction', id: h.id, userId: key };
    return { kind: 'foreign', why: 'content outside the conversation model' };
  }
}

import * as Y from 'yjs';
import { type Integration, malformed, missing, type ParentRef, type Place, parentRefOf, type Struct } from './integration.js';
import { Field, MESSAGES } from './model.js';

// What a piece of content is in the conversation model, decided by where Yjs puts it: for the
// structs of an update, where the integration model (integration.ts) says they land; for the
// document's own items, where they sit.

export { malformed, missing, type Struct };

/** What a piece of content is in the conversation model, decided by where it sits. */
export type Role =
  | { kind: 'message'; id: string }
  | { kind: 'field'; id: string; field: string }
  | { kind: 'textChar'; id: string }
  | { kind: 'reaction'; id: string; userId: string }
  | { kind: 'dropped' } // Yjs turns it into garbage on arrival (a neighbour or its parent was garbage-collected)
  | { kind: 'foreign'; why: string };

/** True when two roles name the same place in the conversation model. */
export function sameRole(a: Role, b: Role): boolean {
  switch (a.kind) {
    case 'message':
    case 'textChar':
      return b.kind === a.kind && b.id === a.id;
    case 'field':
      return b.kind === 'field' && b.id === a.id && b.field === a.field;
    case 'reaction':
      return b.kind === 'reaction' && b.id === a.id && b.userId === a.userId;
    case 'dropped':
      return b.kind === 'dropped';
    case 'foreign':
      return b.kind === 'foreign';
  }
}

const MAX_NESTING = 8;

/**
 * Roles of the structs of an update (where `integration` lands them) and of the document's
 * items (where they sit; without an integration, only those). Roles of holders are cached.
 */
export class Placement {
  private readonly holders = new Map<Y.Item, Role>();

  private readonly rootNames = new Map<Y.AbstractType<unknown>, string>();

  constructor(private readonly integration?: Integration) {}

  /** The role of a struct of the update (where it lands) or of the document (where it is); throws for a struct that does not land. */
  roleOf(struct: Struct, depth = 0): Role {
    const landing = this.integration?.landingOf(struct);
    if (landing) return this.roleAt(landing.place, depth);
    if (struct instanceof Y.GC) return { kind: 'dropped' };
    if (!(struct instanceof Y.Item) || !(struct.parent instanceof Y.AbstractType)) throw missing();
    return this.roleAt({ parent: this.refOf(struct.parent), sub: struct.parentSub }, depth);
  }

  private roleAt(place: Place, depth: number): Role {
    if (place === null) return { kind: 'dropped' };
    if (typeof place.parent === 'string') return placeInRoot(place.parent, place.sub);
    return this.placeUnder(place.parent, place.sub, depth);
  }

  private placeUnder(holder: Y.Item, key: string | null, depth: number): Role {
    if (depth >= MAX_NESTING) return { kind: 'foreign', why: 'content nested deeper than the conversation model allows' };
    if (!(holder.content instanceof Y.ContentType)) throw malformed('a parent that is not a shared type');
    let h = this.holders.get(holder);
    if (!h) {
      h = this.roleOf(holder, depth + 1);
      this.holders.set(holder, h);
    }
    if (h.kind === 'dropped' || h.kind === 'foreign') return h;
    if (h.kind === 'message') {
      return key === null ? { kind: 'foreign', why: 'a message holds only named fields' } : { kind: 'field', id: h.id, field: key };
    }
    if (h.kind === 'field' && h.field === Field.text && key === null) return { kind: 'textChar', id: h.id };
    if (h.kind === 'field' && h.field === Field.reactions && key !== null) return { kind: 'reaction', id: h.id, userId: key };
    return { kind: 'foreign', why: 'content outside the conversation model' };
  }

  private refOf(type: Y.AbstractType<unknown>): ParentRef {
    return parentRefOf(type, this.rootNames);
  }
}

function placeInRoot(name: string, key: string | null): Role {
  if (name !== MESSAGES) return { kind: 'foreign', why: `unknown root type "${name.slice(0, 40)}"` };
  if (key === null) return { kind: 'foreign', why: 'the messages map holds only keyed messages' };
  return { kind: 'message', id: key };
}

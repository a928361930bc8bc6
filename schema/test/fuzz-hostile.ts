import * as Y from 'yjs';
import { createMessageV1 } from '../src/doc/legacy-writes.js';
import { editMessage, listMessages, messagesOf, nextVersionAt, setReaction } from '../src/index.js';
import { encodeUpdate, gc, groupsOf, item, skip } from './craft.js';

/**
 * Mallory's hostile updates for the fuzz (fuzz-world.ts), derived from what she has seen: her
 * changes and others' moved to other clocks of her hostile clients (overlapping what the
 * server has of them, so Yjs trims them and links their tails next to whatever she wrote last),
 * re-parented through origins, right origins and parents, references to later clocks of their
 * own client, cycles between her clients, Skips, garbage, a client listed twice or empty, delete
 * sets over anyone's ranges, and legitimate changes of hers for the others to land next to.
 */

export const HOSTILE_KINDS = ['legit', 'legit', 'shift', 'overlap', 'reparent', 'forward', 'ds', 'groups', 'gc', 'skip', 'cycle'] as const;
/** Mallory's clients used only by hostile updates (her sandbox device has its own). */
export const HOSTILE = [34, 35] as const;
const EMOJI = ['👍', '🎉', '🇫🇷'] as const;

/** One hostile command: its kind, and numbers that pick what it is made of. */
export type Hostile = { kind: (typeof HOSTILE_KINDS)[number]; a: number; b: number; c: number; d: number };
/** What Mallory sees: the server's document and updates, her own name, and fresh ids and times. */
export type Scene = { doc: Y.Doc; sources: Uint8Array[]; mal: string; newId: () => string; now: () => number };

/** A hostile update from Mallory, derived from what she sees (`scene`); undefined when she has seen nothing yet. */
export function hostileUpdate(scene: Scene, c: Hostile): Uint8Array | undefined {
  const { doc, sources } = scene;
  if (sources.length === 0) return undefined;
  const decoded = Y.decodeUpdate(sources[c.a % sources.length] as Uint8Array);
  const structs = decoded.structs.filter((s): s is Y.Item | Y.GC => !(s instanceof Y.Skip));
  const client = HOSTILE[c.d % 2] as number;
  const state = Y.getState(doc.store, client);
  const start = Math.max(0, state - (c.b % 4));
  const moved = moveTo(structs.slice(c.c % Math.max(1, structs.length)), client, start);
  const existing = () => randomId(doc, c.b + c.c);
  let update: Uint8Array;
  switch (c.kind) {
    case 'legit':
      update = legit(scene, client, c);
      break;
    case 'overlap': {
      // A change re-using her client's last clock: Yjs integrates its tail next to whatever she wrote last.
      const at = Math.max(0, state - 1);
      const hers = listMessages(doc).filter((m) => m.author === scene.mal);
      const texts = hers.map((m) => messagesOf(doc).get(m.id)?._map.get('text')?.id).filter((id): id is Y.ID => id !== undefined);
      const all = listMessages(doc);
      const reactions = messagesOf(doc)
        .get(all[c.a % Math.max(1, all.length)]?.id ?? '')
        ?._map.get('reactions')?.id;
      const spec =
        c.b % 3 === 0 && texts.length > 0
          ? { parent: texts[c.c % texts.length], content: new Y.ContentString('xy') }
          : c.b % 3 === 1 && reactions
            ? {
                parent: reactions,
                parentSub: scene.mal,
                content: c.c % 2 ? new Y.ContentDeleted(2) : new Y.ContentAny(['👍', '🎉']),
              }
            : { origin: existing(), parent: 'messages', parentSub: 'x', content: new Y.ContentString('xy') }; // parent: when there is no origin
      update = encodeUpdate([{ client, clock: at, structs: [item(client, at, spec)] }]);
      break;
    }
    case 'shift':
      update = encodeUpdate(groupsOf(moved));
      break;
    case 'reparent': {
      const target = moved[c.d % Math.max(1, moved.length)];
      if (target instanceof Y.Item) reparent(target, c, existing(), randomHolder(doc, c.a + c.d), keysOf(doc, c.c));
      update = encodeUpdate(groupsOf(moved));
      break;
    }
    case 'forward': {
      const target = moved[c.d % Math.max(1, moved.length)];
      if (target instanceof Y.Item) target.origin = Y.createID(client, target.id.clock + (c.c % 3));
      update = encodeUpdate(groupsOf(moved));
      break;
    }
    case 'ds': {
      const clients = [...doc.store.clients.keys(), client];
      const dsClient = clients[c.a % clients.length] as number;
      const dsState = Y.getState(doc.store, dsClient);
      update = encodeUpdate(c.d % 2 ? groupsOf(moved) : [], [[dsClient, [[c.b % (dsState + 3), c.c % 5]]]]);
      break;
    }
    case 'groups': {
      // Yjs reads only the last group of a client: a copy of a group, or an empty one, after it.
      const groups = groupsOf(moved);
      const g = groups[0] ?? { client, clock: start, structs: [] };
      groups.push(c.c % 2 ? { ...g, structs: [...g.structs] } : { client: g.client, clock: g.clock, structs: [] });
      update = encodeUpdate(groups);
      break;
    }
    case 'gc':
      update = encodeUpdate(groupsOf([gc(client, start, 1 + (c.c % 3)), ...moveTo(moved, client, start + 1 + (c.c % 3))]));
      break;
    case 'skip': {
      const gap = 1 + (c.c % 3);
      const from = Math.max(0, state - gap + (c.d % 3));
      update = encodeUpdate([{ client, clock: from, structs: [skip(client, from, gap), ...moveTo(moved, client, from + gap)] }]);
      break;
    }
    case 'cycle': {
      const [x, y] = HOSTILE.map((h) => Y.getState(doc.store, h));
      const a = item(HOSTILE[0], x as number, { origin: Y.createID(HOSTILE[1], y as number), content: new Y.ContentString('x') });
      const b = item(HOSTILE[1], y as number, {
        origin: Y.createID(HOSTILE[0], (x as number) + (c.c % 2)),
        content: new Y.ContentString('y'),
      });
      const tail = moveTo(moved.slice(0, 1), HOSTILE[0], (x as number) + 1);
      update = encodeUpdate([...groupsOf([b]), ...groupsOf([a, ...tail])]);
      break;
    }
  }
  return update;
}

/** A change Mallory may make, written with one of her hostile clients: what the overlapping attacks then land next to. */
function legit(scene: Scene, client: number, c: Hostile): Uint8Array {
  const doc = new Y.Doc();
  doc.clientID = client;
  Y.applyUpdate(doc, Y.encodeStateAsUpdate(doc));
  const before = Y.encodeStateVector(doc);
  const all = listMessages(doc);
  const theirs = all[c.a % Math.max(1, all.length)];
  const hers = all.filter((m) => m.author === scene.mal && !m.deleted);
  const legacy = hers.map((m) => messagesOf(doc).get(m.id)?.get('text')).filter((t): t is Y.Text => t instanceof Y.Text);
  const text = legacy[c.b % Math.max(1, legacy.length)];
  switch (c.c % 4) {
    case 0:
      if (theirs) setReaction(doc, theirs.id, scene.mal, EMOJI[c.b % 3] as string);
      break;
    case 1:
      if (text) text.insert(c.b % (text.length + 1), 'ab');
      break;
    case 2:
      createMessageV1(doc, { id: scene.newId(), author: scene.mal, createdAt: scene.now(), text: 'hers' });
      break;
    case 3:
      if (hers[0]) editMessage(doc, hers[0].id, 'hers, again', nextVersionAt(doc, hers[0].id, scene.now()), scene.newId());
      break;
  }
  return Y.encodeStateAsUpdate(doc, before);
}

/** Structs re-numbered onto `client` from `clock`, one after the other (their references kept). */
function moveTo(structs: (Y.Item | Y.GC)[], client: number, clock: number): (Y.Item | Y.GC)[] {
  let at = clock;
  return structs.map((s) => {
    const moved =
      s instanceof Y.Item
        ? new Y.Item(Y.createID(client, at), null, s.origin, null, s.rightOrigin, s.parent as never, s.parentSub, s.content.copy())
        : gc(client, at, s.length);
    at += s.length;
    return moved;
  });
}

function reparent(target: Y.Item, c: { a: number; b: number }, id: Y.ID | null, holder: Y.ID | null, key: string): void {
  switch (c.b % 4) {
    case 0:
      target.origin = id;
      break;
    case 1:
      target.rightOrigin = id;
      break;
    case 2:
      target.origin = null;
      target.rightOrigin = null;
      target.parent = holder as never;
      target.parentSub = c.a % 2 ? key : null;
      break;
    case 3:
      target.origin = null;
      target.rightOrigin = null;
      target.parent = 'messages' as never;
      target.parentSub = key;
      break;
  }
  if (!target.origin && !target.rightOrigin && !target.parent) {
    target.parent = 'messages' as never; // an item needs one of them to be encoded
    target.parentSub = key;
  }
}

/** Some id the document holds. */
function randomId(doc: Y.Doc, r: number): Y.ID | null {
  const clients = [...doc.store.clients.keys()];
  if (clients.length === 0) return null;
  const client = clients[r % clients.length] as number;
  return Y.createID(client, (r * 7) % Y.getState(doc.store, client));
}

/** The id of some item of the document that holds a shared type. */
function randomHolder(doc: Y.Doc, r: number): Y.ID | null {
  const holders: Y.ID[] = [];
  for (const structs of doc.store.clients.values()) {
    for (const s of structs) if (s instanceof Y.Item && s.content instanceof Y.ContentType) holders.push(s.id);
  }
  return holders[r % Math.max(1, holders.length)] ?? null;
}

/** A key Mallory might aim at: a message id, a field, a user's reaction, a fresh version. */
function keysOf(doc: Y.Doc, r: number): string {
  const keys = [
    ...messagesOf(doc).keys(),
    'text',
    'deleted',
    'author',
    'usr_m',
    `v:0190a000-0000-7000-8000-${String(900000 + r).padStart(12, '0')}`,
  ];
  return keys[r % keys.length] as string;
}

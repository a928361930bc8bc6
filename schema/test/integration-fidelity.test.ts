import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { createMessageV1 } from '../src/doc/legacy-writes.js';
import {
  applyChecked,
  checkUpdate,
  createMessage,
  deleteMessage,
  editMessage,
  Field,
  IntegrationFailedError,
  listMessages,
  messagesOf,
  segmentOf,
  setReaction,
} from '../src/index.js';
import { any, encodeUpdate, gc, item, skip } from './craft.js';
import { expectInvariant, plainYjs, ServerSim } from './server-sim.js';

// Each attack a hostile member found against rules that judged a struct by where the update
// says it goes: what plain Yjs does with it (the harm), and how the rules now refuse it.

const NOW = Date.UTC(2026, 11, 7, 9, 30);
const ANA = 'usr_0000000000000000000000000000000a';
const MAL = 'usr_0000000000000000000000000000000m';
const uuid = (n: number) => `0190a000-0000-7000-8000-${String(n).padStart(12, '0')}`;
const A = uuid(1); // Ana's message
const M = uuid(2); // Mallory's message (contract v1: its text is a Y.Text)
const ANA_C = 1001;
const MAL_C = 2002;
const MAL_C2 = 2003;

/** A server with Ana's message, Mallory's v1 message and Mallory's reaction on Ana's message (her last change). */
function world() {
  const server = new ServerSim({ segment: segmentOf(NOW), now: NOW });
  const device = (clientID: number) => {
    const doc = new Y.Doc();
    doc.clientID = clientID;
    Y.applyUpdate(doc, Y.encodeStateAsUpdate(server.doc));
    return doc;
  };
  const write = (userId: string, doc: Y.Doc, change: (doc: Y.Doc) => void) => {
    Y.applyUpdate(doc, Y.encodeStateAsUpdate(server.doc));
    const sv = Y.encodeStateVector(doc);
    change(doc);
    const outcome = server.push(userId, Y.encodeStateAsUpdate(doc, sv));
    expect(outcome).toBe('accepted');
  };
  const ana = device(ANA_C);
  write(ANA, ana, (d) => createMessage(d, { id: A, author: ANA, createdAt: NOW, text: 'hi' }));
  const mal = device(MAL_C);
  write(MAL, mal, (d) => createMessageV1(d, { id: M, author: MAL, createdAt: NOW + 1, text: 'mine' }));
  write(MAL, mal, (d) => setReaction(d, A, MAL, '👍'));
  const map = (id: string) => messagesOf(server.doc).get(id) as Y.Map<unknown>;
  const itemOf = (id: string, field: string) => (map(id)._map.get(field) as Y.Item).id;
  return {
    server,
    ana,
    mal,
    write,
    /** The id of the item holding M's Y.Text: a parent Mallory may write characters into. */
    text: itemOf(M, Field.text),
    reactionsOfA: itemOf(A, Field.reactions),
    last: (client: number) => Y.getState(server.doc.store, client) - 1,
  };
}

const chars = (s: string) => new Y.ContentString(s);

describe('the write rules judge what Yjs integrates', () => {
  it("refuse a trimmed tail Yjs would link into Mallory's reaction on Ana's message while the update names her own text", () => {
    const w = world();
    const clock = w.last(MAL_C); // her reaction on Ana's message
    const attack = encodeUpdate([{ client: MAL_C, clock, structs: [item(MAL_C, clock, { parent: w.text, content: chars('xevil') })] }]);
    expect(plainYjs(w.server.doc, attack)).toBe('diverges');
    expect(w.server.push(MAL, attack)).toBe('MALFORMED_UPDATE');
    expectInvariant(w.server);
  });

  it('refuse a trimmed tail Yjs would link into the root messages map, making a message a plain string once rebuilt', () => {
    const w = world();
    // Mallory creates a message whose map comes from one of her clients and its fields from
    // another: that client's last change is then the message's entry in the root map.
    const created = (field: string, clock: number, content: Y.Item['content']) =>
      item(MAL_C, clock, { parent: Y.createID(MAL_C2, 0), parentSub: field, content });
    const at = w.last(MAL_C) + 1;
    const N = uuid(3);
    const text = created(Field.text, at + 4, new Y.ContentType(new Y.Text()));
    const fields = [
      created(Field.id, at, any(N)),
      created(Field.author, at + 1, any(MAL)),
      created(Field.createdAt, at + 2, any(NOW + 2)),
      created(Field.reactions, at + 3, new Y.ContentType(new Y.Map())),
      text,
      item(MAL_C, at + 5, { parent: text.id, content: chars('ok') }),
    ];
    const creation = encodeUpdate([
      {
        client: MAL_C2,
        clock: 0,
        structs: [item(MAL_C2, 0, { parent: 'messages', parentSub: N, content: new Y.ContentType(new Y.Map()) })],
      },
      { client: MAL_C, clock: at, structs: fields },
    ]);
    expect(w.server.push(MAL, creation)).toBe('accepted');
    const attack = encodeUpdate([{ client: MAL_C2, clock: 0, structs: [item(MAL_C2, 0, { parent: text.id, content: chars('xboom') })] }]);
    expect(plainYjs(w.server.doc, attack)).toBe('diverges');
    expect(w.server.push(MAL, attack)).toBe('MALFORMED_UPDATE');
    expectInvariant(w.server);
    expect(listMessages(w.server.doc).map((m) => m.id)).toEqual([A, M, N]);
  });

  it('refuse a reference to a later change of the same client (Yjs throws) as malformed', () => {
    const w = world();
    const s = w.last(MAL_C) + 1;
    const attack = encodeUpdate([
      {
        client: MAL_C,
        clock: s,
        structs: [
          item(MAL_C, s, { origin: Y.createID(MAL_C, s + 1), content: chars('a') }),
          item(MAL_C, s + 1, { parent: w.text, content: chars('b') }),
        ],
      },
    ]);
    expect(plainYjs(w.server.doc, attack)).toBe('throws');
    expect(w.server.push(MAL, attack)).toBe('MALFORMED_UPDATE');
    const own = encodeUpdate([
      { client: MAL_C, clock: s, structs: [item(MAL_C, s, { origin: Y.createID(MAL_C, s), content: chars('a') })] },
    ]);
    expect(w.server.push(MAL, own)).toBe('MALFORMED_UPDATE');
    expectInvariant(w.server);
  });

  it('refuse a cycle of references between clients (Yjs leaves it pending) as missing dependencies', () => {
    const w = world();
    const s = w.last(MAL_C) + 1;
    const attack = encodeUpdate([
      { client: MAL_C2, clock: 0, structs: [item(MAL_C2, 0, { origin: Y.createID(MAL_C, s + 1), content: chars('y') })] },
      {
        client: MAL_C,
        clock: s,
        structs: [
          item(MAL_C, s, { origin: Y.createID(MAL_C2, 0), content: chars('x') }),
          item(MAL_C, s + 1, { parent: w.text, content: chars('z') }),
        ],
      },
    ]);
    expect(plainYjs(w.server.doc, attack)).toBe('pending');
    expect(w.server.push(MAL, attack)).toBe('MISSING_DEPENDENCIES');
    expectInvariant(w.server);
  });

  it('refuse a struct the document has whose origin it lacks (Yjs leaves it pending), even beside new content', () => {
    const w = world();
    const s = w.last(MAL_C);
    const attack = encodeUpdate([
      {
        client: MAL_C,
        clock: s,
        structs: [
          item(MAL_C, s, { origin: Y.createID(ANA_C, 999), content: any('👍') }),
          item(MAL_C, s + 1, { parent: w.text, content: chars('z') }),
        ],
      },
    ]);
    expect(plainYjs(w.server.doc, attack)).toBe('pending');
    expect(w.server.push(MAL, attack)).toBe('MISSING_DEPENDENCIES');
  });

  it('refuse an item whose origin and right origin sit in different parents', () => {
    const w = world();
    const s = w.last(MAL_C) + 1;
    const lastChar = Y.createID(MAL_C, w.text.clock + 1 + 3); // the 'e' of 'mine'
    const attack = encodeUpdate([
      {
        client: MAL_C,
        clock: s,
        structs: [item(MAL_C, s, { origin: lastChar, rightOrigin: Y.createID(MAL_C, w.last(MAL_C)), content: chars('z') })],
      },
    ]);
    expect(w.server.push(MAL, attack)).toBe('MALFORMED_UPDATE');
    expectInvariant(w.server);
  });

  it('accept what lands next to garbage as garbage, and refuse a trimmed tail whose real left is garbage (Yjs throws)', () => {
    const w = world();
    const s = w.last(MAL_C) + 1;
    expect(w.server.push(MAL, encodeUpdate([{ client: MAL_C, clock: s, structs: [gc(MAL_C, s, 2)] }]))).toBe('accepted');
    const beside = encodeUpdate([
      { client: MAL_C, clock: s + 2, structs: [item(MAL_C, s + 2, { origin: Y.createID(MAL_C, s), content: chars('q') })] },
    ]);
    expect(plainYjs(w.server.doc, beside)).toBe('consistent');
    expect(w.server.push(MAL, beside)).toBe('accepted');
    expect(w.server.doc.store.clients.get(MAL_C)?.at(-1)).toBeInstanceOf(Y.GC);
    const onGarbage = encodeUpdate([
      { client: MAL_C, clock: s + 2, structs: [item(MAL_C, s + 2, { parent: w.text, content: chars('xy') })] },
    ]);
    expect(plainYjs(w.server.doc, onGarbage)).toBe('throws');
    expect(w.server.push(MAL, onGarbage)).toBe('MALFORMED_UPDATE');
    expectInvariant(w.server);
  });

  it('refuse content after a Skip the document lacks, and accept it after a Skip over what it has', () => {
    const w = world();
    const s = w.last(MAL_C) + 1;
    const skipping = (from: number, len: number) =>
      encodeUpdate([
        { client: MAL_C, clock: from, structs: [skip(MAL_C, from, len), item(MAL_C, from + len, { parent: w.text, content: chars('!') })] },
      ]);
    expect(w.server.push(MAL, skipping(s, 2))).toBe('MISSING_DEPENDENCIES');
    expect(w.server.push(MAL, skipping(s - 2, 2))).toBe('accepted');
    expect(listMessages(w.server.doc).find((m) => m.id === M)?.text).toBe('!mine');
    expectInvariant(w.server);
  });

  it("judge deletions where they fall: another client's ranges, ranges Yjs would keep pending, empty ones", () => {
    const w = world();
    const version = messagesOf(w.server.doc).get(A)?._map.get(`v:${A}`) as Y.Item;
    const ds = (client: number, clock: number, len: number) => encodeUpdate([], [[client, [[clock, len]]]]);
    expect(w.server.push(MAL, ds(ANA_C, version.id.clock, 1))).toBe('FORBIDDEN_UPDATE');
    expect(w.server.push(MAL, ds(ANA_C, 0, 10_000))).toBe('MISSING_DEPENDENCIES');
    expect(w.server.push(MAL, ds(MAL_C, w.last(MAL_C), 2))).toBe('MISSING_DEPENDENCIES');
    expect(w.server.push(MAL, ds(MAL_C, 0, 0))).toBe('MALFORMED_UPDATE');
    // Her own reaction: the known part is hers to remove, the rest lands in the same update.
    const s = w.last(MAL_C);
    const straddling = encodeUpdate(
      [{ client: MAL_C, clock: s + 1, structs: [item(MAL_C, s + 1, { origin: Y.createID(MAL_C, s), content: any('🎉') })] }],
      [[MAL_C, [[s, 2]]]],
    );
    expect(w.server.push(MAL, straddling)).toBe('accepted');
    expect(listMessages(w.server.doc).find((m) => m.id === A)?.reactions).toEqual({});
    expectInvariant(w.server);
  });

  it('refuse a client listed twice or with no structs (Yjs reads only its last group)', () => {
    const w = world();
    const s = w.last(MAL_C) + 1;
    const z = (clock: number) => item(MAL_C, clock, { parent: w.text, content: chars('z') });
    const twice = encodeUpdate([
      { client: MAL_C, clock: s, structs: [z(s)] },
      { client: MAL_C, clock: s + 1, structs: [z(s + 1)] },
    ]);
    expect(plainYjs(w.server.doc, twice)).toBe('pending');
    expect(w.server.push(MAL, twice)).toBe('MALFORMED_UPDATE');
    const emptied = encodeUpdate([
      { client: MAL_C, clock: s, structs: [z(s)] },
      { client: MAL_C, clock: s, structs: [] },
    ]);
    expect(w.server.push(MAL, emptied)).toBe('MALFORMED_UPDATE');
    expectInvariant(w.server);
  });

  it('keep accepting honest overlaps: a re-sent update, merged outbox updates, one re-encoded after the server got part of it', () => {
    const w = world();
    const sv = Y.encodeStateVector(w.mal);
    Y.applyUpdate(w.mal, Y.encodeStateAsUpdate(w.server.doc));
    const before = Y.encodeStateVector(w.mal);
    const outbox: Uint8Array[] = [];
    w.mal.on('update', (u: Uint8Array) => outbox.push(u));
    editMessage(w.mal, M, 'mine, edited', NOW + 5, uuid(40));
    setReaction(w.mal, A, MAL, '🎉');
    createMessage(w.mal, { id: uuid(4), author: MAL, createdAt: NOW + 6, text: 'more' });
    expect(w.server.push(MAL, outbox[0] as Uint8Array)).toBe('accepted');
    expect(w.server.push(MAL, outbox[0] as Uint8Array)).toBe('duplicate');
    expect(w.server.push(MAL, Y.mergeUpdates(outbox))).toBe('accepted');
    expect(w.server.push(MAL, Y.encodeStateAsUpdate(w.mal, before))).toBe('duplicate');
    expect(w.server.push(MAL, Y.encodeStateAsUpdate(w.mal, sv))).toBe('duplicate');
    expectInvariant(w.server);
    expect(listMessages(w.server.doc)).toEqual(listMessages(w.mal));
  });

  it('verify after applying: an update Yjs integrates otherwise than judged is refused as malformed (here: judged on another state)', () => {
    const w = world();
    const s = w.last(MAL_C) + 1;
    const update = encodeUpdate([{ client: MAL_C, clock: s, structs: [item(MAL_C, s, { parent: w.text, content: chars('xy') })] }]);
    const judged = checkUpdate(w.server.doc, update, { userId: MAL, mayUseClient: () => true }, { segment: segmentOf(NOW), now: NOW });
    w.write(MAL, w.mal, (d) => setReaction(d, A, MAL, '🎉')); // her client's clock s is now a reaction
    const doc = w.server.doc;
    expect(() => applyChecked(doc, update, judged)).toThrow(IntegrationFailedError);
    expect(() => applyChecked(doc, update, { ...judged })).toThrow('applyChecked needs the result checkUpdate returned');
  });

  // Outbox entries merged (web/src/sync/flush.ts) or re-encoded hold a creation and later changes in one update.
  it('accept a message created and edited, or created and deleted, in one update (outbox entries merged or re-encoded)', () => {
    const w = world();
    Y.applyUpdate(w.ana, Y.encodeStateAsUpdate(w.server.doc));
    const sv = Y.encodeStateVector(w.ana);
    createMessage(w.ana, { id: uuid(7), author: ANA, createdAt: NOW + 7, text: 'typo' });
    editMessage(w.ana, uuid(7), 'fixed', NOW + 8, uuid(8));
    createMessage(w.ana, { id: uuid(9), author: ANA, createdAt: NOW + 9, text: 'oops' });
    deleteMessage(w.ana, uuid(9));
    expect(w.server.push(ANA, Y.encodeStateAsUpdate(w.ana, sv))).toBe('accepted');
    expect(listMessages(w.server.doc).map((m) => [m.text, m.deleted])).toContainEqual(['fixed', false]);
    expect(listMessages(w.server.doc).map((m) => [m.text, m.deleted])).toContainEqual(['', true]);
    // A creation never carries a version of a message it does not create, nor a removed first version without the delete.
    const bad = new Y.Doc();
    Y.applyUpdate(bad, Y.encodeStateAsUpdate(w.server.doc));
    const before = Y.encodeStateVector(bad);
    createMessage(bad, { id: uuid(11), author: ANA, createdAt: NOW + 11, text: 'x' });
    (messagesOf(bad).get(uuid(11)) as Y.Map<unknown>).delete(`v:${uuid(11)}`);
    expect(w.server.push(ANA, Y.encodeStateAsUpdate(bad, before))).toBe('FORBIDDEN_UPDATE');
  });
});

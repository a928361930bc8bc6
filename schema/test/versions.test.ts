import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { createMessageV1, deleteMessageV1, editMessageV1 } from '../src/doc/legacy-writes.js';
import {
  checkUpdate,
  createMessage,
  deleteMessage,
  editMessage,
  Field,
  limits,
  listMessages,
  messagesOf,
  nextVersionAt,
  purgeDeletedText,
  readMessage,
  segmentOf,
  UpdateRefusedError,
  versionKey,
} from '../src/index.js';

const NOW = Date.UTC(2026, 11, 7, 9, 30);
const SEGMENT = segmentOf(NOW);
const ANA = 'usr_0000000000000000000000000000000a';
const BO = 'usr_0000000000000000000000000000000b';
const uuid = (n: number) => `0190a000-0000-7000-8000-${String(n).padStart(12, '0')}`;
const MSG = uuid(1);

/** A server document that applies what the rules accept, and devices that sync with it. */
function world(options: { notBefore?: number } = {}) {
  const server = new Y.Doc();
  const owners = new Map<number, string>();
  const check = (userId: string, update: Uint8Array) =>
    checkUpdate(
      server,
      update,
      { userId, mayUseClient: (c) => (owners.get(c) ?? userId) === userId },
      { segment: SEGMENT, now: NOW, ...options },
    );
  const push = (userId: string, update: Uint8Array) => {
    const result = check(userId, update);
    for (const c of result.clients) owners.set(c, userId);
    Y.applyUpdate(server, update);
    return result;
  };
  const device = (userId: string) => {
    const doc = new Y.Doc();
    Y.applyUpdate(doc, Y.encodeStateAsUpdate(server));
    const outbox: Uint8Array[] = [];
    doc.on('update', (u: Uint8Array, origin: unknown) => {
      if (origin === 'local') outbox.push(u);
    });
    return {
      doc,
      userId,
      /** Pushes everything written locally since the last flush; throws the refusal code. */
      flush: () => {
        for (const u of outbox.splice(0)) push(userId, u);
      },
      pull: () => Y.applyUpdate(doc, Y.encodeStateAsUpdate(server, Y.encodeStateVector(doc))),
    };
  };
  const text = () => listMessages(server)[0]?.text;
  return { server, push, check, device, text };
}

const code = (fn: () => unknown) => {
  try {
    fn();
    return 'accepted';
  } catch (e) {
    if (e instanceof UpdateRefusedError) return e.code;
    throw e;
  }
};

let nextVersion = 100;
const edit = (doc: Y.Doc, text: string, at = nextVersionAt(doc, MSG, NOW)) => editMessage(doc, MSG, text, at, uuid(nextVersion++), 'local');

describe('an edit is whole', () => {
  it('concurrent edits converge to exactly one of them, the later by its stamp, and the other stays in the history', () => {
    const w = world();
    const phone = w.device(ANA);
    createMessage(phone.doc, { id: MSG, author: ANA, createdAt: NOW, text: 'Lunch at noon?' }, 'local');
    phone.flush();
    const laptop = w.device(ANA);
    const bo = w.device(BO);
    edit(phone.doc, 'Lunch at 1pm?', NOW + 10);
    edit(laptop.doc, 'Dinner at noon instead?', NOW + 20);
    laptop.flush();
    phone.flush();
    for (const d of [phone, laptop, bo]) d.pull();
    for (const doc of [w.server, phone.doc, laptop.doc, bo.doc]) {
      const [m] = listMessages(doc);
      expect(m?.text).toBe('Dinner at noon instead?');
      expect(m?.editedAt).toBe(NOW + 20);
      expect(m?.versions.map((v) => v.text)).toEqual(['Lunch at noon?', 'Lunch at 1pm?', 'Dinner at noon instead?']);
    }
  });

  it('breaks a tie of stamps by version id, the same way everywhere', () => {
    const w = world();
    const a = w.device(ANA);
    createMessage(a.doc, { id: MSG, author: ANA, createdAt: NOW, text: 'x' }, 'local');
    a.flush();
    const b = w.device(ANA);
    editMessage(a.doc, MSG, 'from a', NOW + 5, uuid(900), 'local');
    editMessage(b.doc, MSG, 'from b', NOW + 5, uuid(800), 'local');
    b.flush();
    a.flush();
    a.pull();
    b.pull();
    expect([w.text(), listMessages(a.doc)[0]?.text, listMessages(b.doc)[0]?.text]).toEqual(['from a', 'from a', 'from a']);
  });

  it('an edit made after seeing another always replaces it, whatever the clocks say', () => {
    const doc = new Y.Doc();
    createMessage(doc, { id: MSG, author: ANA, createdAt: NOW, text: 'one' });
    editMessage(doc, MSG, 'two', NOW + 60_000, uuid(2));
    editMessage(doc, MSG, 'three', nextVersionAt(doc, MSG, NOW), uuid(3)); // this clock is a minute behind
    expect(listMessages(doc)[0]?.text).toBe('three');
  });

  it('delete wins over a concurrent edit, and the author purges what the edit left', () => {
    const w = world();
    const phone = w.device(ANA);
    createMessage(phone.doc, { id: MSG, author: ANA, createdAt: NOW, text: 'secret' }, 'local');
    phone.flush();
    const laptop = w.device(ANA);
    edit(laptop.doc, 'still secret');
    deleteMessage(phone.doc, MSG, 'local');
    laptop.flush(); // the edit reaches the server first
    phone.flush();
    expect(listMessages(w.server)[0]).toMatchObject({ text: '', deleted: true, versions: [], editedAt: null });
    phone.pull();
    expect(purgeDeletedText(phone.doc, MSG, 'local')).toBe(true);
    phone.flush();
    const held = messagesOf(w.server).get(MSG) as Y.Map<unknown>;
    expect([...held.keys()].filter((k) => k.startsWith('v:'))).toEqual([]);
    expect(new TextDecoder().decode(Y.encodeStateAsUpdate(w.server))).not.toContain('still secret');
    expect(purgeDeletedText(phone.doc, MSG, 'local')).toBe(false);
  });

  it('an edit arriving after the delete is accepted but never shown, and purged: nobody is asked to undo anything', () => {
    const w = world();
    const phone = w.device(ANA);
    createMessage(phone.doc, { id: MSG, author: ANA, createdAt: NOW, text: 'x' }, 'local');
    phone.flush();
    const laptop = w.device(ANA);
    deleteMessage(phone.doc, MSG, 'local');
    phone.flush();
    edit(laptop.doc, 'too late');
    laptop.flush();
    laptop.pull();
    for (const doc of [w.server, laptop.doc]) expect(listMessages(doc)[0]).toMatchObject({ text: '', deleted: true, versions: [] });
    expect(purgeDeletedText(laptop.doc, MSG, 'local')).toBe(true);
    laptop.flush();
    expect(new TextDecoder().decode(Y.encodeStateAsUpdate(w.server))).not.toContain('too late');
  });
});

describe('the rules of versions', () => {
  const created = () => {
    const w = world();
    const ana = w.device(ANA);
    createMessage(ana.doc, { id: MSG, author: ANA, createdAt: NOW, text: 'hello' }, 'local');
    ana.flush();
    return { w, ana, fresh: () => w.device(ANA), map: (d: { doc: Y.Doc }) => messagesOf(d.doc).get(MSG) as Y.Map<unknown> };
  };

  it('only the author adds versions', () => {
    const { w } = created();
    const bo = w.device(BO);
    edit(bo.doc, 'not yours');
    expect(code(bo.flush)).toBe('FORBIDDEN_UPDATE');
    expect(w.text()).toBe('hello');
  });

  it('refuse a version written twice, with a non-UUID id, older than its message, or carrying more than text and at', () => {
    const { fresh, map } = created();
    const cases: ((m: Y.Map<unknown>) => void)[] = [
      (m) => m.set(versionKey(MSG), { text: 'rewritten', at: NOW + 1 }),
      (m) => m.set('v:not-a-uuid', { text: 'x', at: NOW + 1 }),
      (m) => m.set(versionKey(uuid(50)), { text: 'x', at: NOW - 1 }),
      (m) => m.set(versionKey(uuid(51)), { text: 'x', at: NOW + 1, pinned: true }),
      (m) => m.set(versionKey(uuid(52)), { text: 'x', at: NOW + limits.futureSkewMs + 1 }),
      (m) => m.set(versionKey(uuid(53)), { text: 'x', at: 1.5 }),
      (m) => m.set(versionKey(uuid(54)), 'just text'),
      (m) => m.set(versionKey(uuid(55)), new Y.Text('x')),
      (m) => m.set(Field.editedAt, NOW + 1), // the old shape's stamp on a new message
    ];
    for (const change of cases) {
      const d = fresh();
      d.doc.transact(() => change(map(d)), 'local');
      expect(code(d.flush)).toBe('FORBIDDEN_UPDATE');
    }
  });

  it('refuse removing a version of a message that is not deleted, and taking a deletion back', () => {
    const { w, fresh, map } = created();
    const d = fresh();
    d.doc.transact(() => map(d).delete(versionKey(MSG)), 'local');
    expect(code(d.flush)).toBe('FORBIDDEN_UPDATE');
    const ana = fresh();
    deleteMessage(ana.doc, MSG, 'local');
    ana.flush();
    const undo = fresh();
    undo.doc.transact(() => map(undo).delete(Field.deleted), 'local');
    expect(code(undo.flush)).toBe('FORBIDDEN_UPDATE');
    expect(listMessages(w.server)[0]).toMatchObject({ deleted: true });
  });

  it('accept deleting twice (two devices), which overwrites the mark', () => {
    const { w, fresh } = created();
    const a = fresh();
    const b = fresh();
    deleteMessage(a.doc, MSG, 'local');
    deleteMessage(b.doc, MSG, 'local');
    a.flush();
    b.flush();
    const c = fresh();
    deleteMessage(c.doc, MSG, 'local');
    c.flush();
    expect(listMessages(w.server)[0]).toMatchObject({ deleted: true, text: '' });
  });

  it('cap the versions of one message', () => {
    const { w, ana } = created();
    for (let i = 1; i < limits.messageVersions.max; i++) edit(ana.doc, `take ${i}`);
    ana.flush();
    edit(ana.doc, 'one too many');
    expect(code(ana.flush)).toBe('FORBIDDEN_UPDATE');
    expect(w.text()).toBe(`take ${limits.messageVersions.max - 1}`);
  });

  it('refuse a creation with two texts, none, or a first version not dated at createdAt', () => {
    const w = world();
    const make = (change: (m: Y.Map<unknown>) => void) => {
      const d = w.device(ANA);
      createMessage(d.doc, { id: uuid(7), author: ANA, createdAt: NOW, text: 'hi' }, 'local');
      // rewrite the creation before it leaves: one transaction, as a forged app would
      const doc = new Y.Doc();
      doc.transact(() => {
        const m = new Y.Map<unknown>();
        for (const [k, v] of (messagesOf(d.doc).get(uuid(7)) as Y.Map<unknown>).entries()) {
          m.set(k, v instanceof Y.Map ? new Y.Map() : v);
        }
        change(m);
        messagesOf(doc).set(uuid(7), m);
      });
      return code(() => w.push(ANA, Y.encodeStateAsUpdate(doc)));
    };
    expect(make(() => {})).toBe('accepted');
    expect(make((m) => m.set(Field.text, new Y.Text('two')))).toBe('FORBIDDEN_UPDATE');
    expect(make((m) => m.delete(versionKey(uuid(7))))).toBe('FORBIDDEN_UPDATE');
    expect(make((m) => m.set(versionKey(uuid(7)), { text: 'hi', at: NOW + 1 }))).toBe('FORBIDDEN_UPDATE');
    expect(make((m) => m.set(versionKey(uuid(8)), { text: 'hi', at: NOW }))).toBe('FORBIDDEN_UPDATE');
  });

  it('report the reply target for the caller to check, and refuse a createdAt before the conversation', () => {
    const w = world({ notBefore: NOW - 1000 });
    const d = w.device(ANA);
    createMessage(d.doc, { id: MSG, author: ANA, createdAt: NOW, text: 'hi', replyTo: uuid(99) }, 'local');
    const before = Y.encodeStateVector(w.server);
    const update = Y.encodeStateAsUpdate(d.doc, before);
    expect(w.check(ANA, update).replies).toEqual(new Map([[MSG, uuid(99)]]));
    const early = w.device(ANA);
    createMessage(early.doc, { id: uuid(2), author: ANA, createdAt: NOW - 2000, text: 'from 1970' }, 'local');
    expect(code(early.flush)).toBe('FORBIDDEN_UPDATE');
  });
});

describe('documents written before versions (contract v1)', () => {
  it('read the same text, accept the old app’s writes, and take new edits that then win', () => {
    const w = world();
    const old = w.device(ANA);
    createMessageV1(old.doc, { id: MSG, author: ANA, createdAt: NOW, text: 'helo wrld' }, 'local');
    old.flush();
    expect(listMessages(w.server)[0]).toMatchObject({ text: 'helo wrld', editedAt: null });
    editMessageV1(old.doc, MSG, 'hello world', NOW + 5, 'local');
    old.flush();
    expect(listMessages(w.server)[0]).toMatchObject({ text: 'hello world', editedAt: NOW + 5 });
    const upgraded = w.device(ANA);
    edit(upgraded.doc, 'hello, world');
    upgraded.flush();
    const [m] = listMessages(w.server);
    expect(m?.text).toBe('hello, world');
    expect(m?.versions.map((v) => [v.id, v.text])).toEqual([
      ['', 'hello world'],
      [expect.any(String), 'hello, world'],
    ]);
    deleteMessage(upgraded.doc, MSG, 'local');
    upgraded.flush();
    expect(listMessages(w.server)[0]).toMatchObject({ text: '', deleted: true, versions: [] });
    expect(new TextDecoder().decode(Y.encodeStateAsUpdate(w.server))).not.toContain('hello');
  });

  it("accept an old app's delete, and refuse its control characters like the new shape's", () => {
    const w = world();
    const old = w.device(ANA);
    createMessageV1(old.doc, { id: MSG, author: ANA, createdAt: NOW, text: 'bye' }, 'local');
    old.flush();
    const bell = w.device(ANA);
    editMessageV1(bell.doc, MSG, 'bye\u0007', NOW + 1, 'local');
    expect(code(bell.flush)).toBe('FORBIDDEN_UPDATE');
    const nul = w.device(ANA);
    createMessageV1(nul.doc, { id: uuid(3), author: ANA, createdAt: NOW, text: 'a\u0000b' }, 'local');
    expect(code(nul.flush)).toBe('FORBIDDEN_UPDATE');
    deleteMessageV1(old.doc, MSG, 'local');
    old.flush();
    expect(listMessages(w.server)).toMatchObject([{ deleted: true, text: '' }]);
  });
});

describe('reading never breaks on an entry that is not a message', () => {
  it('skips and reports a plain value, a map missing fields, and a message with no text', () => {
    const doc = new Y.Doc();
    createMessage(doc, { id: MSG, author: ANA, createdAt: NOW, text: 'fine' });
    messagesOf(doc).set(uuid(2), 'a plain string' as never);
    messagesOf(doc).set(uuid(3), new Y.Map());
    const textless = new Y.Map<unknown>();
    textless.set(Field.id, uuid(4));
    textless.set(Field.author, ANA);
    textless.set(Field.createdAt, NOW);
    textless.set(Field.reactions, new Y.Map());
    messagesOf(doc).set(uuid(4), textless as never);
    const reported: string[] = [];
    expect(listMessages(doc, (key) => reported.push(key)).map((m) => m.text)).toEqual(['fine']);
    expect(reported.sort()).toEqual([uuid(2), uuid(3), uuid(4)]);
    expect(readMessage('a plain string')).toBeUndefined();
    expect(readMessage(undefined)).toBeUndefined();
  });
});

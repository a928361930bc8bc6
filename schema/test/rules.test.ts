import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
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
  segmentOf,
  setReaction,
  UpdateRefusedError,
} from '../src/index.js';

const NOW = Date.UTC(2026, 10, 22, 10, 30);
const SEGMENT = segmentOf(NOW);
const ANA = 'usr_0000000000000000000000000000000a';
const BO = 'usr_0000000000000000000000000000000b';
const uuid = (n: number) => `0190a000-0000-7000-8000-${String(n).padStart(12, '0')}`;

/** A server document plus devices whose writes go through the rules before reaching it. */
function setup() {
  const server = new Y.Doc();
  const owners = new Map<number, string>(); // Yjs client -> user, as the server binds them
  const device = (userId: string) => {
    const doc = new Y.Doc();
    Y.applyUpdate(doc, Y.encodeStateAsUpdate(server));
    return { doc, userId };
  };
  const writer = (userId: string) => ({ userId, mayUseClient: (c: number) => (owners.get(c) ?? userId) === userId });
  /** Runs `change` on the device and pushes the resulting update; throws the refusal if refused. */
  const write = (d: { doc: Y.Doc; userId: string }, change: (doc: Y.Doc) => void) => {
    const before = Y.encodeStateVector(d.doc);
    change(d.doc);
    return push(d.userId, Y.encodeStateAsUpdate(d.doc, before));
  };
  const push = (userId: string, update: Uint8Array) => {
    const result = checkUpdate(server, update, writer(userId), { segment: SEGMENT, now: NOW });
    for (const c of result.clients) owners.set(c, userId);
    Y.applyUpdate(server, update);
    return result;
  };
  const sync = (d: { doc: Y.Doc }) => Y.applyUpdate(d.doc, Y.encodeStateAsUpdate(server, Y.encodeStateVector(d.doc)));
  return { server, device, write, push, sync, owners };
}

const refusal = (fn: () => unknown) => {
  try {
    fn();
  } catch (e) {
    if (e instanceof UpdateRefusedError) return e.code;
    throw e;
  }
  return 'accepted';
};

const send = (doc: Y.Doc, id: string, author: string, text = 'hello', createdAt = NOW) =>
  createMessage(doc, { id, author, createdAt, text });
let versions = 100;
/** Edits as the app does: a whole new version, later than the one shown. */
const edit = (doc: Y.Doc, id: string, text: string, at = nextVersionAt(doc, id, NOW)) => editMessage(doc, id, text, at, uuid(versions++));

describe('the write rules', () => {
  it('accept a new message by its author, and a duplicate of it as a no-op', () => {
    const s = setup();
    const ana = s.device(ANA);
    const before = Y.encodeStateVector(ana.doc);
    const result = s.write(ana, (doc) => send(doc, uuid(1), ANA));
    expect(result).toMatchObject({ changes: true, messages: new Set([uuid(1)]) });
    expect(listMessages(s.server).map((m) => [m.id, m.author, m.text])).toEqual([[uuid(1), ANA, 'hello']]);
    const again = s.push(ANA, Y.encodeStateAsUpdate(ana.doc, before));
    expect(again.changes).toBe(false);
  });

  it('let the author edit and delete, and anyone react with their own emoji', () => {
    const s = setup();
    const ana = s.device(ANA);
    const bo = s.device(BO);
    s.write(ana, (doc) => send(doc, uuid(1), ANA, 'helo wrld'));
    s.sync(bo);
    s.write(ana, (doc) => edit(doc, uuid(1), 'hello world', NOW + 1));
    s.write(bo, (doc) => setReaction(doc, uuid(1), BO, '👍'));
    s.write(bo, (doc) => setReaction(doc, uuid(1), BO, '🇫🇷'));
    s.sync(ana);
    s.write(ana, (doc) => setReaction(doc, uuid(1), ANA, '❤️'));
    s.write(ana, (doc) => setReaction(doc, uuid(1), ANA, null));
    expect(listMessages(s.server)[0]).toMatchObject({ text: 'hello world', editedAt: NOW + 1, reactions: { [BO]: '🇫🇷' } });
    s.write(ana, (doc) => deleteMessage(doc, uuid(1)));
    expect(listMessages(s.server)[0]).toMatchObject({ text: '', deleted: true });
  });

  it("refuse editing, deleting or marking deleted another user's message", () => {
    const s = setup();
    const ana = s.device(ANA);
    s.write(ana, (doc) => send(doc, uuid(1), ANA));
    const bo = s.device(BO);
    expect(refusal(() => s.write(bo, (doc) => edit(doc, uuid(1), 'hacked')))).toBe('FORBIDDEN_UPDATE');
    const bo2 = s.device(BO);
    expect(refusal(() => s.write(bo2, (doc) => deleteMessage(doc, uuid(1))))).toBe('FORBIDDEN_UPDATE');
    const bo3 = s.device(BO);
    expect(refusal(() => s.write(bo3, (doc) => messagesOf(doc).get(uuid(1))?.set(Field.deleted, true)))).toBe('FORBIDDEN_UPDATE');
    const bo4 = s.device(BO);
    expect(refusal(() => s.write(bo4, (doc) => messagesOf(doc).delete(uuid(1))))).toBe('FORBIDDEN_UPDATE');
    expect(listMessages(s.server)[0]).toMatchObject({ text: 'hello', deleted: false });
  });

  it("refuse writing or removing another user's reaction", () => {
    const s = setup();
    const ana = s.device(ANA);
    s.write(ana, (doc) => send(doc, uuid(1), ANA));
    s.write(ana, (doc) => setReaction(doc, uuid(1), ANA, '🎉'));
    expect(refusal(() => s.write(s.device(BO), (doc) => setReaction(doc, uuid(1), ANA, '💩')))).toBe('FORBIDDEN_UPDATE');
    expect(refusal(() => s.write(s.device(BO), (doc) => setReaction(doc, uuid(1), ANA, null)))).toBe('FORBIDDEN_UPDATE');
    expect(refusal(() => s.write(s.device(BO), (doc) => setReaction(doc, uuid(1), BO, 'not an emoji')))).toBe('FORBIDDEN_UPDATE');
    expect(listMessages(s.server)[0]?.reactions).toEqual({ [ANA]: '🎉' });
  });

  it('refuse a forged author, a changed createdAt or id, and replacing a message', () => {
    const s = setup();
    expect(refusal(() => s.write(s.device(BO), (doc) => send(doc, uuid(2), ANA)))).toBe('FORBIDDEN_UPDATE');
    const ana = s.device(ANA);
    s.write(ana, (doc) => send(doc, uuid(1), ANA));
    for (const [field, value] of [
      [Field.createdAt, NOW - 1000],
      [Field.id, uuid(9)],
      [Field.author, BO],
      [Field.text, new Y.Text('replaced')],
    ] as const) {
      const d = s.device(ANA);
      expect(refusal(() => s.write(d, (doc) => messagesOf(doc).get(uuid(1))?.set(field, value)))).toBe('FORBIDDEN_UPDATE');
    }
    expect(refusal(() => s.write(s.device(ANA), (doc) => send(doc, uuid(1), ANA, 'replacement')))).toBe('FORBIDDEN_UPDATE');
    expect(listMessages(s.server)).toMatchObject([{ id: uuid(1), createdAt: NOW, text: 'hello' }]);
  });

  it('refuse a Yjs client ID another device already uses', () => {
    const s = setup();
    const ana = s.device(ANA);
    s.write(ana, (doc) => send(doc, uuid(1), ANA));
    const bo = s.device(BO);
    bo.doc.clientID = ana.doc.clientID;
    expect(refusal(() => s.write(bo, (doc) => send(doc, uuid(2), BO)))).toBe('FORBIDDEN_UPDATE');
  });

  it('refuse unknown root types, unknown fields and non-UUID ids', () => {
    const s = setup();
    expect(refusal(() => s.write(s.device(ANA), (doc) => doc.getMap('settings').set('admin', true)))).toBe('FORBIDDEN_UPDATE');
    expect(refusal(() => s.write(s.device(ANA), (doc) => doc.getText('notes').insert(0, 'x')))).toBe('FORBIDDEN_UPDATE');
    expect(refusal(() => s.write(s.device(ANA), (doc) => send(doc, 'not-a-uuid', ANA)))).toBe('FORBIDDEN_UPDATE');
    const ana = s.device(ANA);
    s.write(ana, (doc) => send(doc, uuid(1), ANA));
    expect(refusal(() => s.write(ana, (doc) => messagesOf(doc).get(uuid(1))?.set('pinned', true)))).toBe('FORBIDDEN_UPDATE');
    expect(refusal(() => s.write(s.device(ANA), (doc) => messagesOf(doc).set(uuid(3), new Y.Map())))).toBe('FORBIDDEN_UPDATE');
    expect(s.server.share.size).toBe(1);
  });

  it('refuse createdAt far in the future or outside the segment', () => {
    const s = setup();
    expect(refusal(() => s.write(s.device(ANA), (doc) => send(doc, uuid(1), ANA, 'x', NOW + limits.futureSkewMs + 1)))).toBe(
      'FORBIDDEN_UPDATE',
    );
    expect(refusal(() => s.write(s.device(ANA), (doc) => send(doc, uuid(2), ANA, 'x', NOW - 3_600_000)))).toBe('FORBIDDEN_UPDATE');
    expect(listMessages(s.server)).toEqual([]);
  });

  it('refuse text over the limit, counting what the same update deletes', () => {
    const s = setup();
    const ana = s.device(ANA);
    const full = 'x'.repeat(limits.messageText.max);
    s.write(ana, (doc) => send(doc, uuid(1), ANA, full));
    s.write(ana, (doc) => edit(doc, uuid(1), `y${full.slice(1)}`));
    expect(refusal(() => s.write(ana, (doc) => edit(doc, uuid(1), `${full}z`)))).toBe('FORBIDDEN_UPDATE');
  });

  it('refuse garbage, truncated and oversized bytes, and updates with missing dependencies', () => {
    const s = setup();
    const check = (bytes: Uint8Array) => refusal(() => s.push(ANA, bytes));
    expect(check(new Uint8Array([255, 255, 255, 255, 255, 255, 255, 255, 255, 1]))).toBe('MALFORMED_UPDATE');
    const ana = s.device(ANA);
    const sv = Y.encodeStateVector(ana.doc);
    send(ana.doc, uuid(1), ANA);
    const first = Y.encodeStateAsUpdate(ana.doc, sv);
    expect(check(first.slice(0, first.length - 7))).toMatch(/MALFORMED_UPDATE|MISSING_DEPENDENCIES/);
    expect(check(new Uint8Array(limits.updateBytes.max + 1))).toBe('UPDATE_TOO_LARGE');
    const mid = Y.encodeStateVector(ana.doc);
    edit(ana.doc, uuid(1), 'hello again');
    const second = Y.encodeStateAsUpdate(ana.doc, mid);
    expect(check(second)).toBe('MISSING_DEPENDENCIES');
    expect(listMessages(s.server)).toEqual([]);
    s.push(ANA, first);
    s.push(ANA, second);
    expect(listMessages(s.server)[0]?.text).toBe('hello again');
  });

  it('never hang or crash on random bytes', () => {
    const s = setup();
    let seed = 7;
    const random = () => {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      return seed;
    };
    const ana = s.device(ANA);
    send(ana.doc, uuid(1), ANA);
    const valid = Y.encodeStateAsUpdate(ana.doc);
    for (let i = 0; i < 2000; i++) {
      const bytes =
        i % 2 ? new Uint8Array(random() % 300).map(() => random() & 255) : valid.map((b) => (random() % 20 === 0 ? random() & 255 : b));
      const code = refusal(() => checkUpdate(s.server, bytes, { userId: ANA, mayUseClient: () => true }, { segment: SEGMENT, now: NOW }));
      expect(['MALFORMED_UPDATE', 'MISSING_DEPENDENCIES', 'FORBIDDEN_UPDATE', 'accepted']).toContain(code);
    }
  });
});

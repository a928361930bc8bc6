import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { createMessageV1 } from '../src/doc/legacy-writes.js';
import {
  type AttachmentRef,
  checkUpdate,
  createMessage,
  deleteMessage,
  editMessage,
  Field,
  holdsDeletedText,
  isInlineImageType,
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
import { SNIFF_BYTES, sniffContentType } from '../src/sniff.js';

const NOW = Date.UTC(2026, 11, 7, 15, 0);
const SEGMENT = segmentOf(NOW);
const ANA = 'usr_0000000000000000000000000000000a';
const BO = 'usr_0000000000000000000000000000000b';
const uuid = (n: number) => `0190a000-0000-7000-8000-${String(n).padStart(12, '0')}`;
const MSG = uuid(1);

const photo = (n = 50, extra: Partial<AttachmentRef> = {}): AttachmentRef => ({
  id: uuid(n),
  name: 'beach.jpg',
  type: 'image/jpeg',
  size: 3_145_728,
  width: 4032,
  height: 3024,
  thumbhash: 'HBkSHYSIeHiPiHh8eJd4eTN0EEQG',
  ...extra,
});

/** A server document that applies what the rules accept; devices write with origin 'local'. */
function world() {
  const server = new Y.Doc();
  const owners = new Map<number, string>();
  const push = (userId: string, update: Uint8Array) => {
    const result = checkUpdate(
      server,
      update,
      { userId, mayUseClient: (c) => (owners.get(c) ?? userId) === userId },
      { segment: SEGMENT, now: NOW },
    );
    for (const c of result.clients) owners.set(c, userId);
    Y.applyUpdate(server, update);
    return result;
  };
  /** Runs `change` on a fresh copy of the server's document as `userId`, and pushes what it wrote. */
  const write = (userId: string, change: (doc: Y.Doc) => void) => {
    const doc = new Y.Doc();
    Y.applyUpdate(doc, Y.encodeStateAsUpdate(server));
    const before = Y.encodeStateVector(doc);
    change(doc);
    return push(userId, Y.encodeStateAsUpdate(doc, before));
  };
  return { server, write };
}

const verdict = (fn: () => unknown) => {
  try {
    fn();
    return 'accepted';
  } catch (e) {
    if (e instanceof UpdateRefusedError) return `${e.code}: ${e.message}`;
    throw e;
  }
};

const send = (doc: Y.Doc, attachments?: unknown[], text = '') =>
  createMessage(doc, { id: MSG, author: ANA, createdAt: NOW, text, attachments: attachments as AttachmentRef[] });

/** Creates the message the way a hostile client could: `attachments` set to any value. */
const sendRaw = (doc: Y.Doc, value: unknown) =>
  doc.transact(() => {
    createMessage(doc, { id: MSG, author: ANA, createdAt: NOW, text: 'caption' });
    (messagesOf(doc).get(MSG) as Y.Map<unknown>).set(Field.attachments, value);
  });

describe('attachments in the conversation document', () => {
  it('a photo without a caption is accepted, read back whole, and handed to the server to verify', () => {
    const { server, write } = world();
    const result = write(ANA, (doc) =>
      send(doc, [
        photo(50),
        photo(51, { name: 'report.pdf', type: 'application/pdf', width: undefined, height: undefined, thumbhash: undefined }),
      ]),
    );
    expect(result.attachments.get(MSG)?.map((a) => a.id)).toEqual([uuid(50), uuid(51)]);
    const message = readMessage(messagesOf(server).get(MSG));
    expect(message?.text).toBe('');
    expect(message?.attachments).toEqual([photo(50), { id: uuid(51), name: 'report.pdf', type: 'application/pdf', size: 3_145_728 }]);
  });

  it('an empty text is refused without attachments, in a new message and in an edit', () => {
    const { write } = world();
    expect(verdict(() => write(ANA, (doc) => send(doc, undefined, '')))).toMatch(/FORBIDDEN_UPDATE: text must not be empty/);
    write(ANA, (doc) => send(doc, undefined, 'words'));
    const clear = (doc: Y.Doc) => editMessage(doc, MSG, '', nextVersionAt(doc, MSG, NOW), uuid(90));
    expect(verdict(() => write(ANA, clear))).toMatch(/text must not be empty/);
  });

  it("a photo's caption can be edited, also to nothing", () => {
    const { server, write } = world();
    write(ANA, (doc) => send(doc, [photo()], 'first'));
    expect(verdict(() => write(ANA, (doc) => editMessage(doc, MSG, '', nextVersionAt(doc, MSG, NOW), uuid(91))))).toBe('accepted');
    expect(readMessage(messagesOf(server).get(MSG))?.text).toBe('');
  });

  it.each<[string, unknown]>([
    ['a non-UUID id', [photo(50, { id: 'x' })]],
    ['a path in the name', [photo(50, { name: '../../etc/passwd' })]],
    ['a backslash in the name', [photo(50, { name: 'a\\b.jpg' })]],
    ['a bidi override in the name', [photo(50, { name: 'gpj.\u202eexe' })]],
    ['a blank name', [photo(50, { name: ' \u200b ' })]],
    ['a name over the limit', [photo(50, { name: `${'a'.repeat(limits.attachments.nameMax)}.jpg` })]],
    ['a type with parameters', [photo(50, { type: 'text/html; charset=utf-8' })]],
    ['an upper-case type', [photo(50, { type: 'Image/JPEG' })]],
    ['a zero size', [photo(50, { size: 0 })]],
    ['a fractional size', [photo(50, { size: 1.5 })]],
    ['a width without a height', [photo(50, { height: undefined })]],
    ['a zero width', [photo(50, { width: 0 })]],
    ['a thumbhash that is not base64', [photo(50, { thumbhash: '<script>' })]],
    ['an unknown field', [{ ...photo(50), url: 'https://evil.example/x.jpg' }]],
    ['two refs with one id', [photo(50), photo(50)]],
    ['an empty list', []],
    ['more than the limit', Array.from({ length: limits.attachments.perMessage + 1 }, (_, i) => photo(60 + i))],
    ['a string', 'beach.jpg'],
  ])('refuses %s', (_, value) => {
    const { write } = world();
    expect(verdict(() => write(ANA, (doc) => sendRaw(doc, value)))).toMatch(/^FORBIDDEN_UPDATE/);
  });

  it('refuses attachments held in a shared type (Yjs content the rules cannot read as a value)', () => {
    const { write } = world();
    const list = () => {
      const array = new Y.Array<unknown>();
      array.push([photo()]);
      return array;
    };
    expect(verdict(() => write(ANA, (doc) => sendRaw(doc, list())))).toMatch(/^FORBIDDEN_UPDATE/);
  });

  it('never lets anyone add, change or remove the attachments of a sent message, except its author deleting it', () => {
    const { server, write } = world();
    write(ANA, (doc) => send(doc, undefined, 'no photo yet'));
    const add = (doc: Y.Doc) => (messagesOf(doc).get(MSG) as Y.Map<unknown>).set(Field.attachments, [photo()]);
    expect(verdict(() => write(ANA, add))).toMatch(/FORBIDDEN_UPDATE: A message's attachments never changes/);

    const second = uuid(2);
    write(ANA, (doc) => createMessage(doc, { id: second, author: ANA, createdAt: NOW, text: '', attachments: [photo()] }));
    const replace = (doc: Y.Doc) => (messagesOf(doc).get(second) as Y.Map<unknown>).set(Field.attachments, [photo(70)]);
    expect(verdict(() => write(ANA, replace))).toMatch(/^FORBIDDEN_UPDATE/);
    const drop = (doc: Y.Doc) => (messagesOf(doc).get(second) as Y.Map<unknown>).delete(Field.attachments);
    expect(verdict(() => write(ANA, drop))).toMatch(/attachments are removed only when it is deleted/);
    expect(verdict(() => write(BO, (doc) => deleteMessage(doc, second)))).toMatch(/Only the author/);

    expect(verdict(() => write(ANA, (doc) => deleteMessage(doc, second)))).toBe('accepted');
    const deleted = messagesOf(server).get(second) as Y.Map<unknown>;
    expect(deleted.has(Field.attachments)).toBe(false);
    expect(readMessage(deleted)).toMatchObject({ deleted: true, attachments: [] });
  });

  it('a message created and deleted offline arrives as one update, and asks the server to link nothing', () => {
    const { server, write } = world();
    const result = write(ANA, (doc) => {
      send(doc, [photo()]);
      deleteMessage(doc, MSG);
    });
    expect(result.attachments.size).toBe(0);
    expect(readMessage(messagesOf(server).get(MSG))).toMatchObject({ deleted: true, attachments: [] });
  });

  it('attachments an app that predates them left behind on delete are purged by the author, and never shown', () => {
    const { server, write } = world();
    write(ANA, (doc) => send(doc, [photo()], 'caption'));
    // An app that knows versions but not attachments deletes: versions go, attachments stay.
    write(ANA, (doc) =>
      doc.transact(() => {
        const map = messagesOf(doc).get(MSG) as Y.Map<unknown>;
        map.delete(versionKey(MSG));
        map.set(Field.deleted, true);
      }),
    );
    expect(readMessage(messagesOf(server).get(MSG))?.attachments).toEqual([]);
    expect(holdsDeletedText(messagesOf(server).get(MSG))).toBe(true);
    expect(verdict(() => write(ANA, (doc) => purgeDeletedText(doc, MSG)))).toBe('accepted');
    expect((messagesOf(server).get(MSG) as Y.Map<unknown>).has(Field.attachments)).toBe(false);
  });

  it('documents written before attachments existed read as messages with none (both older shapes)', () => {
    const doc = new Y.Doc();
    createMessageV1(doc, { id: uuid(3), author: ANA, createdAt: NOW, text: 'contract v1' });
    doc.transact(() => {
      const map = new Y.Map<unknown>();
      map.set(Field.id, uuid(4));
      map.set(Field.author, BO);
      map.set(Field.createdAt, NOW + 1);
      map.set(Field.reactions, new Y.Map());
      map.set(versionKey(uuid(4)), { text: 'contract v2', at: NOW + 1 });
      messagesOf(doc).set(uuid(4), map);
    });
    const old = new Y.Doc();
    Y.applyUpdate(old, Y.encodeStateAsUpdate(doc));
    expect(listMessages(old).map((m) => [m.text, m.attachments])).toEqual([
      ['contract v1', []],
      ['contract v2', []],
    ]);
  });
});

describe('sniffing a file', () => {
  const png = Uint8Array.from([
    0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13, 0x49, 0x48, 0x44, 0x52, 0, 0, 0, 1, 0, 0, 0, 1, 8, 6, 0, 0, 0,
  ]);
  const text = (s: string) => new TextEncoder().encode(s);

  it('recognises a signature whatever the name would say', async () => {
    expect(await sniffContentType(png)).toBe('image/png');
    expect(await sniffContentType(text('%PDF-1.7\n%\u00e2\u00e3\n1 0 obj'))).toBe('application/pdf');
  });

  it('makes markup plain text, so it is never rendered', async () => {
    expect(await sniffContentType(text('<!doctype html><script>alert(1)</script>'))).toBe('text/plain');
    expect(await sniffContentType(text('<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>'))).toBe('text/plain');
  });

  it('keeps text text when a character is cut at the end of the sniffed bytes, and binary binary', async () => {
    const emoji = text('é'.repeat(SNIFF_BYTES)).subarray(0, SNIFF_BYTES - 1);
    expect(await sniffContentType(emoji)).toBe('text/plain');
    expect(await sniffContentType(Uint8Array.from([1, 2, 0, 3, 255]))).toBe('application/octet-stream');
    expect(await sniffContentType(new Uint8Array(0))).toBe('application/octet-stream');
  });

  it('shows inline only raster images', () => {
    expect(['image/jpeg', 'image/png', 'image/gif', 'image/webp', 'image/avif'].every(isInlineImageType)).toBe(true);
    expect(['image/svg+xml', 'text/html', 'application/pdf', 'image/tiff'].some(isInlineImageType)).toBe(false);
  });
});

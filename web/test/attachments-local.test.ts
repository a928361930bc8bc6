import 'fake-indexeddb/auto';
import { IDBFactory } from 'fake-indexeddb';
import { openDB } from 'idb';
import { describe, expect, it } from 'vitest';
import { evictCached, readCached, storeCached } from '../src/sync/attachments/cache.js';
import { storeUploads } from '../src/sync/attachments/upload-records.js';
import { accountDbName, openAccountDb } from '../src/sync/local-db.js';
import { accountOf, binaryFile, bytesOf, objectUrlBlob, pngFile, stores, textFile } from './files.js';
import { anaAndBo, databaseNames, startApi, until, useDevices } from './harness.js';

const api = startApi();

describe('photos and files on the device', () => {
  const device = useDevices(api);

  it('sending files offline shows the message with its attachments at once, and nothing reaches the server', async () => {
    const { ana, c } = await anaAndBo(device);
    ana.offline = true;
    ana.requests.length = 0;

    const id = await ana.client.sendFiles(c, [pngFile('dot.png'), textFile('hello', 'notes.txt')], '  look  ');

    const [message] = ana.client.conversation(c).messages;
    expect(message).toMatchObject({ id, text: 'look', tick: 'pending', mine: true });
    expect(message?.attachments).toMatchObject([
      { name: 'dot.png', type: 'image/png', size: pngFile().size, inline: true, upload: { state: 'waiting', sentBytes: 0, error: null } },
      { name: 'notes.txt', type: 'text/plain', size: 5, inline: false, upload: { state: 'waiting', sentBytes: 0, error: null } },
    ]);
    expect(ana.client.syncState().pending).toBe(1);
    expect(ana.client.conversations().find((x) => x.id === c)?.lastMessage).toMatchObject({
      text: 'look',
      attachments: [
        { name: 'dot.png', inline: true },
        { name: 'notes.txt', inline: false },
      ],
    });
    // The local file is its preview, from the device.
    const url = await ana.client.attachmentUrl(message?.attachments[0]?.id ?? '', 'thumbnail');
    expect(await bytesOf(objectUrlBlob(url))).toEqual(await bytesOf(pngFile()));
    ana.client.releaseAttachmentUrl(url);
    expect(ana.requests).toEqual([]);
    expect((await stores(ana)).uploads.every((u) => u.endsWith(':pending'))).toBe(true);
  });

  it('a message with files may have no caption; the checks refuse before anything is written', async () => {
    const { ana, c } = await anaAndBo(device);
    ana.offline = true;
    await ana.client.sendFiles(c, [textFile('just the file')], '');
    expect(ana.client.conversation(c).messages.map((m) => m.text)).toEqual(['']);

    const many = Array.from({ length: 11 }, (_, i) => textFile(`${i}`, `f${i}.txt`));
    await expect(ana.client.sendFiles(c, many, '')).rejects.toMatchObject({ code: 'BAD_USER_INPUT' });
    await expect(ana.client.sendFiles(c, [], 'nothing')).rejects.toMatchObject({ code: 'BAD_USER_INPUT' });
    await expect(ana.client.sendFiles(c, [textFile('')], '')).rejects.toMatchObject({ code: 'BAD_USER_INPUT' });
    await expect(ana.client.sendFiles(c, [textFile('x', 'a/b.txt')], '')).rejects.toMatchObject({ code: 'BAD_USER_INPUT' });
    accountOf(ana).attachments.limits = { ...accountOf(ana).attachments.limits, maxFileBytes: 1000 };
    expect(ana.client.attachmentLimits().maxFileBytes).toBe(1000);
    await expect(ana.client.sendFiles(c, [binaryFile(1001)], '')).rejects.toMatchObject({ code: 'ATTACHMENT_TOO_LARGE' });
    expect(ana.client.conversation(c).messages).toHaveLength(1);
    expect((await stores(ana)).uploads).toHaveLength(1);
  });

  it("an HTML file's object URL is application/octet-stream; an image keeps its type", async () => {
    const { ana, c } = await anaAndBo(device);
    ana.offline = true;
    await ana.client.sendFiles(c, [textFile('<script>alert(1)</script>', 'page.html', 'text/html'), pngFile()], '');
    const [html, png] = ana.client.conversation(c).messages[0]?.attachments ?? [];
    expect(html).toMatchObject({ type: 'text/plain', inline: false });

    const htmlUrl = await ana.client.attachmentUrl(html?.id ?? '', 'original');
    const pngUrl = await ana.client.attachmentUrl(png?.id ?? '', 'original');
    expect(objectUrlBlob(htmlUrl).type).toBe('application/octet-stream');
    expect(await objectUrlBlob(htmlUrl).text()).toBe('<script>alert(1)</script>');
    expect(objectUrlBlob(pngUrl).type).toBe('image/png');
    ana.client.releaseAttachmentUrl(htmlUrl);
    expect(() => objectUrlBlob(htmlUrl)).toThrow();
  });

  it('cancelUpload drops the message and its bytes; nothing of it ever reaches the server', async () => {
    const { ana, bo, c } = await anaAndBo(device);
    ana.offline = true;
    const id = await ana.client.sendFiles(c, [textFile('secret plans')], 'oops');
    ana.client.send(c, 'never mind');

    ana.client.cancelUpload(id);

    expect(ana.client.conversation(c).messages.map((m) => m.text)).toEqual(['never mind']);
    expect(ana.client.syncState().pending).toBe(1);
    await until(async () => (await stores(ana)).bytes.length === 0, 'the bytes to go');
    ana.offline = false;
    ana.requests.length = 0;
    await ana.client.syncNow();
    await until(() => ana.client.syncState().pending === 0, 'the text to go');
    expect(ana.requests).not.toContain('StartAttachmentUpload');
    await until(async () => (await stores(ana)).uploads.length === 0, 'the records to go after the rollback');
    expect(ana.client.conversation(c).messages.map((m) => m.text)).toEqual(['never mind']);
    await bo.client.syncNow();
    await until(() => bo.client.conversation(c).messages.length === 1, 'Bo to get the text');
    expect(bo.client.conversation(c).messages.map((m) => m.text)).toEqual(['never mind']);
  });

  it('sign-out wipes the files with the rest of the account, and revokes the URLs handed out', async () => {
    const { ana, c } = await anaAndBo(device);
    ana.offline = true;
    await ana.client.sendFiles(c, [pngFile()], '');
    const url = await ana.client.attachmentUrl(ana.client.conversation(c).messages[0]?.attachments[0]?.id ?? '', 'original');
    const userId = ana.client.session()?.user.id ?? '';

    await ana.client.signOut();

    expect(() => objectUrlBlob(url)).toThrow();
    expect(await databaseNames(ana)).not.toContain(accountDbName(userId));
  });
});

describe('the attachment cache', () => {
  it('evicts the least recently used beyond the limit, but never the bytes of a pending upload', async () => {
    const db = await openAccountDb(new IDBFactory(), 'usr_cache');
    const blob = (n: number) => new Blob([new Uint8Array(n)]);
    const record = { conversationId: 'cnv_1', messageId: 'm', name: 'big.bin', type: 'application/octet-stream', size: 500 };
    await storeUploads(
      db,
      [{ record: { id: 'p', ...record, partsDone: [], sentBytes: 0, state: 'pending', createdAt: 0 }, blob: blob(500) }],
      1,
    );
    await storeCached(db, 'a', 'original', { blob: blob(100), type: 'image/png' }, 10, 1000);
    await storeCached(db, 'b', 'original', { blob: blob(100), type: 'image/png' }, 20, 1000);
    await storeCached(db, 'c', 'thumbnail', { blob: blob(100), type: 'image/webp' }, 30, 1000);
    expect(await readCached(db, 'a', 'original', 40)).not.toBeNull(); // a is now the most recently used

    await storeCached(db, 'd', 'original', { blob: blob(100), type: 'image/png' }, 50, 250);

    expect((await db.getAllKeys('attachmentCache')).sort()).toEqual(['a/original', 'd/original', 'p/original']);
    expect(await evictCached(db, 0)).toBe(200);
    expect(await db.getAllKeys('attachmentBytes')).toEqual(['p/original']);
    db.close();
  });

  it('the account database upgraded from version 1 keeps what it held and gains the attachment stores', async () => {
    const factory = indexedDB; // the global fake-indexeddb, which idb's openDB opens
    const old = await openDB(accountDbName('usr_old'), 1, {
      upgrade(d) {
        for (const name of ['meta', 'users']) d.createObjectStore(name);
        d.createObjectStore('conversations', { keyPath: 'id' });
        d.createObjectStore('receipts', { keyPath: 'conversationId' });
        d.createObjectStore('outbox', { keyPath: 'seq' });
        d.createObjectStore('failed', { keyPath: 'seq' });
        d.createObjectStore('segments', { keyPath: ['conversationId', 'segment'] }).createIndex('byConversation', 'conversationId');
      },
    });
    await old.put('meta', 'cursor-1', 'cursor');
    old.close();

    const db = await openAccountDb(factory, 'usr_old');
    expect(await db.get('meta', 'cursor')).toBe('cursor-1');
    expect([...db.objectStoreNames]).toEqual(expect.arrayContaining(['uploads', 'attachmentCache', 'attachmentBytes', 'outbox']));
    db.close();
  });
});

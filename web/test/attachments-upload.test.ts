import { describe, expect, it } from 'vitest';
import type { ChatMessage } from '../src/app/model.js';
import { replayOutbox } from '../src/sync/replay.js';
import { accountOf, binaryFile, bytesOf, objectUrlBlob, partPuts, pngFile, sameBytes, stores, textFile } from './files.js';
import { anaAndBo, type Device, signUp, startApi, until, useDevices } from './harness.js';

const api = startApi();

/** Waits until `from` pushed everything, then until `to`, synced, shows a message in `c` with `n` attachments; returns it. */
async function arrived(from: Device, to: Device, c: string, n = 1) {
  await until(() => from.client.syncState().pending === 0, `${from.name} to upload and push`);
  await to.client.syncNow();
  const found = await until(
    () => to.client.conversation(c).messages.find((m) => m.attachments.length === n),
    `${to.name} to get the files`,
  );
  return found as ChatMessage;
}

describe('uploading photos and files', () => {
  const device = useDevices(api);

  it('reconnecting uploads the files, then pushes the message; the bytes download exactly as sent', async () => {
    const { ana, bo, c } = await anaAndBo(device);
    ana.offline = true;
    const file = binaryFile(300_000, 'data.bin');
    const id = await ana.client.sendFiles(c, [file, textFile('hello there')], 'two files');
    ana.offline = false;
    ana.requests.length = 0;
    await ana.client.syncNow();

    const got = await arrived(ana, bo, c, 2);
    expect(got).toMatchObject({ text: 'two files', mine: false });
    expect(got.attachments.map((a) => [a.name, a.type, a.size, a.upload])).toEqual([
      ['data.bin', 'application/octet-stream', 300_000, null],
      ['notes.txt', 'text/plain', 11, null],
    ]);
    const ops = ana.requests.filter((r) => /Attachment|^Push$/.test(r));
    expect(ops.indexOf('Push')).toBeGreaterThan(ops.lastIndexOf('CompleteAttachmentUpload'));
    expect(
      ana.client
        .conversation(c)
        .messages.find((m) => m.id === id)
        ?.attachments.map((a) => a.upload),
    ).toEqual([null, null]);
    expect((await stores(ana)).uploads).toEqual([]);

    const url = await bo.client.attachmentUrl(got.attachments[0]?.id ?? '', 'original');
    expect(sameBytes(await bytesOf(objectUrlBlob(url)), await bytesOf(file))).toBe(true);
    expect(objectUrlBlob(url).type).toBe('application/octet-stream');
    bo.requests.length = 0;
    bo.client.releaseAttachmentUrl(url);
    await bo.client.attachmentUrl(got.attachments[0]?.id ?? '', 'original'); // now from the cache
    expect(bo.requests.filter((r) => r.startsWith('/attachments/'))).toEqual([]);
  });

  it("deleting the message drops its files from every device's cache, not only from the server", async () => {
    const { ana, bo, c } = await anaAndBo(device);
    const id = await ana.client.sendFiles(c, [pngFile('gone.png')], 'soon gone');
    const got = await arrived(ana, bo, c);
    const uuid = (await stores(ana)).cached[0]?.split('/')[0] ?? 'none';
    bo.client.releaseAttachmentUrl(await bo.client.attachmentUrl(got.attachments[0]?.id ?? '', 'original'));
    expect((await stores(bo)).cached).toEqual([`${uuid}/original`]);
    expect((await stores(ana)).cached).toEqual([`${uuid}/original`]);

    ana.client.remove(id);
    await until(() => ana.client.syncState().pending === 0, 'the deletion to be pushed');
    await bo.client.syncNow();
    await until(() => bo.client.conversation(c).messages.find((m) => m.id === got.id)?.deleted, 'Bo to see the deletion');
    await until(async () => (await stores(bo)).cached.length === 0 && (await stores(bo)).bytes.length === 0, "Bo's cache to drop it");
    await until(async () => (await stores(ana)).cached.length === 0, "Ana's cache to drop it");
  });

  it('a photo arrives inline, with a thumbnail image to show before the original', async () => {
    const { ana, bo, c } = await anaAndBo(device);
    await ana.client.sendFiles(c, [pngFile('dot.png')], '');
    const got = await arrived(ana, bo, c);
    expect(got.attachments[0]).toMatchObject({ name: 'dot.png', type: 'image/png', inline: true, upload: null });

    const thumbnail = await bo.client.attachmentUrl(got.attachments[0]?.id ?? '', 'thumbnail');
    expect(objectUrlBlob(thumbnail).type).toMatch(/^image\/(webp|png)$/);
    const original = await bo.client.attachmentUrl(got.attachments[0]?.id ?? '', 'original');
    expect(objectUrlBlob(original).type).toBe('image/png');
  });

  it('a restart in the middle of an upload resumes it without sending the parts already stored', async () => {
    const { ana, bo, c } = await anaAndBo(device);
    const part = accountOf(ana).attachments.limits.partBytes;
    const file = binaryFile(part + 4096, 'two-parts.bin', 7);
    ana.offline = true;
    await ana.client.sendFiles(c, [file], '');
    // The network drops as the second part goes out.
    ana.hold = (request) => {
      if (request.startsWith('/attachments/uploads/') && partPuts(ana).length === 2) ana.offline = true;
      return undefined;
    };
    ana.offline = false;
    await ana.client.syncNow();
    await until(() => ana.offline, 'the second part to be cut off');
    await until(async () => (await accountOf(ana).db.getAll('uploads'))[0]?.partsDone.length === 1, 'the first part to be kept');
    ana.hold = null;
    expect(partPuts(ana)).toHaveLength(2);

    await ana.restart();
    expect(ana.client.conversation(c).messages[0]?.attachments[0]?.upload).toMatchObject({ state: 'waiting', sentBytes: part });
    ana.offline = false;
    await ana.client.syncNow();
    const got = await arrived(ana, bo, c);

    const puts = partPuts(ana);
    expect(puts).toHaveLength(3);
    expect(puts[2]).toBe(puts[1]); // only the second part went again
    const url = await bo.client.attachmentUrl(got.attachments[0]?.id ?? '', 'original');
    expect(sameBytes(await bytesOf(objectUrlBlob(url)), await bytesOf(file))).toBe(true);
  });

  it('the service worker uploads with the app closed, then pushes; the app shows it sent', async () => {
    const ana = device('ana');
    const bo = device('bo', { delivery: 'COOKIE' });
    await signUp(ana, 'ana', 'Ana');
    await signUp(bo, 'bo', 'Bo');
    const c = await ana.client.openDirect(bo.client.session()?.user.id ?? '');
    await bo.client.syncNow();
    bo.offline = true;
    await bo.restart();
    await bo.client.sendFiles(c, [textFile('from the worker')], 'closed app');
    bo.client.send(c, 'and a text after it');
    await bo.client.close();
    bo.offline = false;
    bo.requests.length = 0;

    const report = await replayOutbox({ baseUrl: 'http://localhost', fetch: bo.fetch, indexedDB: bo.indexedDB });

    expect(report).toEqual({ delivered: 2, refused: 0, left: 0 });
    expect(bo.requests.filter((r) => !r.startsWith('/attachments/uploads/'))).toEqual([
      '/auth/refresh',
      'StartAttachmentUpload',
      'CompleteAttachmentUpload',
      'Push',
    ]);
    await ana.client.syncNow();
    await until(() => ana.client.conversation(c).messages.length === 2, 'Ana to get both');
    expect(ana.client.conversation(c).messages.map((m) => [m.text, m.attachments.length])).toEqual([
      ['closed app', 1],
      ['and a text after it', 0],
    ]);
    await bo.restart();
    expect(bo.client.syncState().pending).toBe(0);
    expect(bo.client.conversation(c).messages[0]?.attachments[0]?.upload).toBeNull();
  });
});

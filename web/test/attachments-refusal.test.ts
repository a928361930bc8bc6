import { describe, expect, it } from 'vitest';
import { DEFAULT_LIMITS } from '../src/sync/attachments/limits.js';
import { accountOf, binaryFile, stores } from './files.js';
import { anaAndBo, startApi, until, useDevices } from './harness.js';

/** A server that takes files of at most 1 MB. */
const api = startApi({ ATTACHMENT_MAX_MB: '1' });

describe('files the server refuses', () => {
  const device = useDevices(api);

  it('an upload refused as too large fails its message with the reason, and pushes nothing of it; a text after it still goes', async () => {
    const { ana, bo, c } = await anaAndBo(device);
    // Ana's device last read the server's limits before they were lowered.
    accountOf(ana).attachments.limits = DEFAULT_LIMITS;
    ana.offline = true;
    const id = await ana.client.sendFiles(c, [binaryFile(2 * 1024 * 1024, 'huge.bin')], 'too big');
    ana.client.send(c, 'a text after it');
    ana.offline = false;
    ana.requests.length = 0;
    await ana.client.syncNow();

    await until(() => ana.client.conversation(c).messages.find((m) => m.id === id)?.tick === 'failed', 'the message to fail');
    await until(() => ana.client.syncState().pending === 0, 'the text to go');
    const failed = ana.client.conversation(c).messages.find((m) => m.id === id);
    expect(failed).toMatchObject({ text: 'too big', failure: { code: 'ATTACHMENT_TOO_LARGE', retryable: false } });
    expect(failed?.failure?.message).toBeTruthy();
    expect(failed?.attachments[0]?.upload).toMatchObject({ state: 'failed', error: failed?.failure?.message });
    expect(ana.requests.filter((r) => r.startsWith('/attachments/uploads/'))).toEqual([]);

    await bo.client.syncNow();
    await until(() => bo.client.conversation(c).messages.length > 0, 'Bo to get the text');
    expect(bo.client.conversation(c).messages.map((m) => m.text)).toEqual(['a text after it']);

    ana.client.dismiss(id);
    expect(ana.client.conversation(c).messages.map((m) => m.text)).toEqual(['a text after it']);
    await until(async () => (await stores(ana)).uploads.length === 0 && (await stores(ana)).bytes.length === 0, 'the file to go');
  });

  it('once the device has read the limits, a file over them is refused before anything is written', async () => {
    const { ana, c } = await anaAndBo(device);
    await ana.client.syncNow();
    await until(() => ana.client.attachmentLimits().maxFileBytes === 1024 * 1024, 'the limits to be read');
    await expect(ana.client.sendFiles(c, [binaryFile(1024 * 1024 + 1)], '')).rejects.toMatchObject({ code: 'ATTACHMENT_TOO_LARGE' });
    expect(ana.client.conversation(c).messages).toEqual([]);
  });
});

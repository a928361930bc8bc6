import { limits, parseGlobalId } from '@mailboat/schema';
import { sql } from 'kysely';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { objectKey } from '../src/attachments/storage/object-store.js';
import { bodyOf, COMPLETE, phonePhoto, putPart, randomFile, sendWithFiles, startUpload, upload } from './attachments-harness.js';
import { backends, type GqlResult, type TestApp, useTestApp } from './harness.js';
import { type S3Server, startS3Server } from './s3-server.js';
import { SyncDevice } from './sync-device.js';

const uuidOf = (globalId: string) => parseGlobalId(globalId)?.id as string;
const code = (r: GqlResult) => r.errors?.[0]?.extensions?.code;
const MESSAGE_FILES = `query($id: ID!) { conversation(id: $id) { messages(last: 10) { edges { node { id text attachments {
  id name contentType size inline width height url thumbnailUrl } } } } } }`;
const auth = (token: string) => ({ headers: { authorization: `Bearer ${token}` } });

/** The behaviour every store must give; `app` runs with that store. */
function attachmentBehaviour(app: () => TestApp) {
  it('a phone photo arrives without its location, at its oriented size, with a thumbnail, for members only', async () => {
    const { client, ana, bo, conversationId } = await app().client.directPair();
    const photo = await phonePhoto(64, 48);
    const { ref, attachment, id } = await upload(client, ana, conversationId, photo, 'beach.jpg');
    expect(attachment).toMatchObject({ contentType: 'image/jpeg', inline: true, width: 48, height: 64, size: photo.byteLength });

    const device = new SyncDevice(client, ana);
    sendWithFiles(device, conversationId, [ref], 'Look!');
    expect((await device.push()).map((r: any) => r.status)).toEqual(['ACCEPTED']);

    const listed = (await client.ok(MESSAGE_FILES, { id: conversationId }, bo.accessToken)).conversation.messages.edges;
    expect(listed.at(-1).node).toMatchObject({
      text: 'Look!',
      attachments: [{ name: 'beach.jpg', width: 48, height: 64, url: `/attachments/${id}` }],
    });

    const original = await client.request(`/attachments/${id}`, auth(bo.accessToken));
    expect(original.status).toBe(200);
    expect(original.headers.get('content-type')).toBe('image/jpeg');
    expect(original.headers.get('content-disposition')).toMatch(/^inline; filename="beach.jpg"/);
    const meta = await sharp(await bodyOf(original)).metadata();
    expect(meta.exif).toBeUndefined();
    expect([meta.width, meta.height, meta.orientation]).toEqual([48, 64, undefined]);

    const thumbnail = await client.request(`/attachments/${id}/thumbnail`, auth(bo.accessToken));
    expect(thumbnail.headers.get('content-type')).toBe('image/webp');
    expect((await sharp(await bodyOf(thumbnail)).metadata()).format).toBe('webp');

    const stranger = await client.signUp('stranger');
    expect((await client.request(`/attachments/${id}`, auth(stranger.accessToken))).status).toBe(404);
    expect((await client.request(`/attachments/${id}`)).status).toBe(401);
  });

  it('a large file goes in parts, resumes where it stopped, and round-trips byte for byte', async () => {
    const { client, ana, bo, conversationId } = await app().client.directPair();
    const bytes = randomFile(limits.attachments.partBytes + 1000);
    const first = await startUpload(client, ana, conversationId, 'archive.bin', bytes.byteLength);
    expect(first.parts.map((p) => [p.number, p.offset, p.size])).toEqual([
      [1, 0, limits.attachments.partBytes],
      [2, limits.attachments.partBytes, 1000],
    ]);
    const [p1, p2] = first.parts as [(typeof first.parts)[0], (typeof first.parts)[0]];
    expect((await putPart(client, p1, bytes.subarray(0, p1.size))).ok).toBe(true);

    const early = await client.gql(COMPLETE, { id: first.attachmentId }, { token: ana.accessToken });
    expect(code(early)).toBe('UPLOAD_INCOMPLETE');
    expect(early.errors?.[0]?.extensions?.missingParts).toEqual([2]);

    // After a restart the client starts again: only the missing part is asked for.
    const resumed = await startUpload(client, ana, conversationId, 'archive.bin', bytes.byteLength, first.id);
    expect(resumed.parts.map((p) => p.number)).toEqual([2]);
    expect((await putPart(client, p2, bytes.subarray(p2.offset, p2.offset + 999))).ok).toBe(false); // a byte short
    expect((await putPart(client, p2, bytes.subarray(p2.offset))).ok).toBe(true);
    const done = (await client.ok(COMPLETE, { id: first.attachmentId }, ana.accessToken)).completeAttachmentUpload;
    expect(done).toMatchObject({ contentType: 'application/octet-stream', inline: false, thumbnailUrl: null });
    expect((await startUpload(client, ana, conversationId, 'archive.bin', bytes.byteLength, first.id)).complete).toBe(true);

    const device = new SyncDevice(client, ana);
    sendWithFiles(device, conversationId, [{ id: first.id, name: 'archive.bin', type: done.contentType, size: bytes.byteLength }]);
    await device.push();
    const got = await client.request(`/attachments/${first.id}?download=1`, auth(bo.accessToken));
    expect(got.headers.get('content-disposition')).toMatch(/^attachment;/);
    expect(Buffer.compare(Buffer.from(await bodyOf(got)), Buffer.from(bytes))).toBe(0);

    // A resumed download, or a seek: one byte range.
    const ranged = (range: string) => client.request(`/attachments/${first.id}`, { headers: { ...auth(bo.accessToken).headers, range } });
    const tail = await ranged('bytes=-1000');
    expect([tail.status, tail.headers.get('content-range')]).toEqual([
      206,
      `bytes ${bytes.byteLength - 1000}-${bytes.byteLength - 1}/${bytes.byteLength}`,
    ]);
    expect(Buffer.compare(Buffer.from(await bodyOf(tail)), Buffer.from(bytes.subarray(-1000)))).toBe(0);
    const middle = await ranged(`bytes=${limits.attachments.partBytes - 10}-${limits.attachments.partBytes + 9}`);
    expect(
      Buffer.compare(
        Buffer.from(await bodyOf(middle)),
        Buffer.from(bytes.subarray(limits.attachments.partBytes - 10, limits.attachments.partBytes + 10)),
      ),
    ).toBe(0);
    expect((await ranged(`bytes=${bytes.byteLength}-`)).status).toBe(416);
  });

  it('deleting the message removes its files for everyone, after the commit', async () => {
    const { client, ana, bo, conversationId } = await app().client.directPair();
    const { ref, id } = await upload(client, ana, conversationId, await phonePhoto(), 'gone.jpg');
    const device = new SyncDevice(client, ana);
    const sent = sendWithFiles(device, conversationId, [ref]);
    await device.push();
    expect((await client.request(`/attachments/${id}`, auth(bo.accessToken))).status).toBe(200);
    device.delete(conversationId, sent.segment, sent.id);
    expect((await device.push()).map((r: any) => r.status)).toEqual(['ACCEPTED']);
    expect((await client.request(`/attachments/${id}`, auth(bo.accessToken))).status).toBe(404);
    const { store } = app().deps.attachments;
    const gone = async () =>
      (await store.read(objectKey(id, 'original'))) === null && (await store.read(objectKey(id, 'thumbnail'))) === null;
    await expect.poll(gone, { timeout: 5000 }).toBe(true);
  });
}

describe.each(backends)('attachments on %s, files on the filesystem', (backend) => {
  const app = useTestApp(backend);
  attachmentBehaviour(app);

  it('a message naming an upload it may not is refused, and nothing of it is stored', async () => {
    const { client, ana, bo, conversationId } = await app().client.directPair();
    const other = await client.createGroup(ana, [], 'Elsewhere');
    const mine = await upload(client, ana, conversationId, randomFile(2000), 'a.bin');
    const elsewhere = await upload(client, ana, other, randomFile(2000), 'b.bin');
    const bos = await upload(client, bo, conversationId, randomFile(2000), 'c.bin');
    const unfinished = await startUpload(client, ana, conversationId, 'd.bin', 2000);
    const refusals: [string, object][] = [
      ["another user's upload", bos.ref],
      ['an upload into another conversation', elsewhere.ref],
      ['an unfinished upload', { id: unfinished.id, name: 'd.bin', type: 'application/octet-stream', size: 2000 }],
      ['no upload at all', { ...mine.ref, id: '0190a000-0000-7000-8000-000000000999' }],
      ['a wrong size', { ...mine.ref, size: 1999 }],
      ['a wrong type', { ...mine.ref, type: 'image/png' }],
    ];
    for (const [why, ref] of refusals) {
      const device = new SyncDevice(client, ana); // a refused write stays in the device's document: start afresh
      sendWithFiles(device, conversationId, [ref as never]);
      const [result] = await device.push();
      expect([why, result.status, result.error?.code]).toEqual([why, 'REFUSED', 'FORBIDDEN_UPDATE']);
    }
    // One upload in two messages of one push: the first takes it.
    const device = new SyncDevice(client, ana);
    sendWithFiles(device, conversationId, [mine.ref]);
    sendWithFiles(device, conversationId, [mine.ref]);
    expect((await device.push()).map((r: any) => r.status)).toEqual(['ACCEPTED', 'REFUSED']);
    // ... and a later message cannot take it either.
    const later = new SyncDevice(client, ana);
    sendWithFiles(later, conversationId, [mine.ref]);
    expect((await later.push()).map((r: any) => r.error?.code)).toEqual(['FORBIDDEN_UPDATE']);
    const rows = await app().deps.db.selectFrom('messages').select('id').where('conversation_id', '=', uuidOf(conversationId)).execute();
    expect(rows).toHaveLength(1);
  });

  it('plain GraphQL clients send files with sendMessage, and /sync/messages lists them', async () => {
    const { client, ana, bo, conversationId } = await app().client.directPair();
    const file = await upload(client, ana, conversationId, new TextEncoder().encode('<html><script>alert(1)</script>'), 'page.html');
    expect(file.attachment).toMatchObject({ contentType: 'text/plain', inline: false });
    const sent = await client.ok(
      'mutation($input: SendMessageInput!) { sendMessage(input: $input) { text attachments { id name contentType } } }',
      { input: { conversationId, text: '', attachmentIds: [file.globalId] } },
      ana.accessToken,
    );
    expect(sent.sendMessage).toEqual({ text: '', attachments: [{ id: file.globalId, name: 'page.html', contentType: 'text/plain' }] });
    const again = await client.gql(
      'mutation($input: SendMessageInput!) { sendMessage(input: $input) { id } }',
      { input: { conversationId, text: 'twice', attachmentIds: [file.globalId] } },
      { token: ana.accessToken },
    );
    expect(again.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'attachmentIds' });

    const page = await (await client.request('/sync/messages', auth(bo.accessToken))).json();
    expect(page.messages.at(-1).attachments).toEqual([expect.objectContaining({ id: file.globalId, name: 'page.html', inline: false })]);

    // The HTML downloads, never renders: attachment, sandboxed, not sniffed.
    const answer = await client.request(`/attachments/${file.id}`, auth(bo.accessToken));
    expect(answer.headers.get('content-disposition')).toMatch(/^attachment; filename="page.html"/);
    expect(answer.headers.get('content-security-policy')).toMatch(/^sandbox;/);
    expect(answer.headers.get('x-content-type-options')).toBe('nosniff');
  });

  it('a removed member loses access to the group files', async () => {
    const { client, ana, bo } = await app().client.directPair();
    const group = await client.createGroup(ana, [bo]);
    const { ref, id } = await upload(client, ana, group, randomFile(1000), 'plan.bin');
    const device = new SyncDevice(client, ana);
    sendWithFiles(device, group, [ref]);
    await device.push();
    expect((await client.request(`/attachments/${id}`, auth(bo.accessToken))).status).toBe(200);
    await client.ok(
      'mutation($id: ID!, $u: ID!) { removeConversationMember(conversationId: $id, userId: $u) { id } }',
      { id: group, u: bo.userId },
      ana.accessToken,
    );
    expect((await client.request(`/attachments/${id}`, auth(bo.accessToken))).status).toBe(404);
  });

  it('uploads no message names are swept after the grace period; those a message names stay', async () => {
    const { client, ana, conversationId } = await app().client.directPair();
    const orphan = await upload(client, ana, conversationId, randomFile(1000), 'never-sent.bin');
    const kept = await upload(client, ana, conversationId, randomFile(1000), 'sent.bin');
    const abandoned = await startUpload(client, ana, conversationId, 'half.bin', 3000);
    const device = new SyncDevice(client, ana);
    sendWithFiles(device, conversationId, [kept.ref]);
    await device.push();
    const { db, attachments } = app().deps;
    await sql`update attachments set created_at = now() - interval '25 hours', completed_at = now() - interval '25 hours' where conversation_id = ${uuidOf(conversationId)}`.execute(
      db,
    );
    expect(await attachments.sweeper.sweep()).toBeGreaterThanOrEqual(2);
    const left = await db.selectFrom('attachments').select('id').where('id', 'in', [orphan.id, kept.id, abandoned.id]).execute();
    expect(left.map((r) => r.id)).toEqual([kept.id]);
    expect(await attachments.store.read(objectKey(orphan.id, 'original'))).toBeNull();
    expect(await attachments.store.read(objectKey(kept.id, 'original'))).not.toBeNull();
  });
});

describe('attachment limits and settings', () => {
  const app = useTestApp('pglite', {
    ATTACHMENT_MAX_MB: '1',
    ATTACHMENT_MESSAGE_MAX_MB: '1',
    ATTACHMENT_UNSENT_MAX_MB: '2',
    ATTACHMENT_ALLOWED_TYPES: 'image/*,text/plain',
  });

  it('bounds what one user keeps uploaded but unsent; sending frees room, and others are not affected', async () => {
    const { client, ana, bo, conversationId } = await app().client.directPair();
    const text = (n: number) => new TextEncoder().encode('b'.repeat(n));
    const first = await upload(client, ana, conversationId, text(900_000), 'first.txt');
    await upload(client, ana, conversationId, text(900_000), 'second.txt');
    const START_ONLY = 'mutation($input: StartAttachmentUploadInput!) { startAttachmentUpload(input: $input) { attachmentId } }';
    const third = { conversationId, name: 'third.txt', size: 900_000 };
    const refused = await client.gql(START_ONLY, { input: third }, { token: ana.accessToken });
    expect(refused.errors?.[0]?.extensions).toMatchObject({ code: 'RATE_LIMITED', retryAfterSeconds: 60 });
    expect(refused.errors?.[0]?.message).toMatch(/not in a message yet/);
    expect((await client.gql(START_ONLY, { input: third }, { token: bo.accessToken })).errors).toBeUndefined();

    const device = new SyncDevice(client, ana);
    sendWithFiles(device, conversationId, [first.ref]);
    expect((await device.push()).map((r: any) => r.status)).toEqual(['ACCEPTED']);
    expect((await client.gql(START_ONLY, { input: third }, { token: ana.accessToken })).errors).toBeUndefined();
  });

  it("refuses a message whose files together are over the per-message limit, and an image whose metadata can't be stripped", async () => {
    const { client, ana, conversationId } = await app().client.directPair();
    const text = (n: number) => new TextEncoder().encode('a'.repeat(n));
    const one = await upload(client, ana, conversationId, text(600_000), 'one.txt');
    const two = await upload(client, ana, conversationId, text(600_000), 'two.txt');
    const device = new SyncDevice(client, ana);
    sendWithFiles(device, conversationId, [one.ref, two.ref]);
    const [result] = await device.push();
    expect([result.status, result.error?.code, result.error?.message]).toEqual([
      'REFUSED',
      'FORBIDDEN_UPDATE',
      expect.stringContaining('may total at most'),
    ]);

    const broken = Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0, 16, 0x4a, 0x46, 0x49, 0x46, 0]), Buffer.alloc(3000, 7)]);
    const started = await startUpload(client, ana, conversationId, 'broken.jpg', broken.byteLength);
    for (const part of started.parts) await putPart(client, part, broken);
    const refused = await client.gql(COMPLETE, { id: started.attachmentId }, { token: ana.accessToken });
    expect([code(refused), refused.errors?.[0]?.message]).toEqual([
      'ATTACHMENT_TYPE_NOT_ALLOWED',
      'This image/jpeg image could not be read',
    ]);
  });

  it('refuses a file over the limit before any byte, a type not allowed once its bytes show it, and a bad name', async () => {
    const { client, ana, conversationId } = await app().client.directPair();
    const big = await client.gql(
      'mutation($input: StartAttachmentUploadInput!) { startAttachmentUpload(input: $input) { attachmentId } }',
      { input: { conversationId, name: 'movie.mov', size: 200 * 2 ** 20 } },
      { token: ana.accessToken },
    );
    expect(code(big)).toBe('ATTACHMENT_TOO_LARGE');
    const limitsNow = await client.ok('{ attachmentLimits { maxFileBytes maxPerMessage } }', {}, ana.accessToken);
    expect(limitsNow.attachmentLimits).toEqual({ maxFileBytes: 2 ** 20, maxPerMessage: limits.attachments.perMessage });

    const pdf = new TextEncoder().encode('%PDF-1.7\n%\u00e2\u00e3\n1 0 obj << >> endobj\n');
    const started = await startUpload(client, ana, conversationId, 'looks-like.png', pdf.byteLength);
    for (const part of started.parts) await putPart(client, part, pdf);
    const refused = await client.gql(COMPLETE, { id: started.attachmentId }, { token: ana.accessToken });
    expect(code(refused)).toBe('ATTACHMENT_TYPE_NOT_ALLOWED');
    expect(await app().deps.db.selectFrom('attachments').select('id').where('id', '=', started.id).executeTakeFirst()).toBeUndefined();

    for (const name of ['../../etc/passwd', 'a\u202egpj.exe', ' ', 'x'.repeat(300)]) {
      const r = await client.gql(
        'mutation($input: StartAttachmentUploadInput!) { startAttachmentUpload(input: $input) { attachmentId } }',
        { input: { conversationId, name, size: 10 } },
        { token: ana.accessToken },
      );
      expect([name, code(r), r.errors?.[0]?.extensions?.field]).toEqual([name, 'BAD_USER_INPUT', 'name']);
    }
  });
});

describe('attachments in an S3-compatible store (s3rver; parts PUT straight to it, presigned)', () => {
  let s3: S3Server | undefined;
  const env: Record<string, string> = { ATTACHMENT_STORE: 's3' };
  beforeAll(async () => {
    s3 = await startS3Server();
    Object.assign(env, {
      S3_ENDPOINT: s3.endpoint,
      S3_REGION: s3.region,
      S3_BUCKET: s3.bucket,
      S3_ACCESS_KEY_ID: s3.accessKeyId,
      S3_SECRET_ACCESS_KEY: s3.secretAccessKey,
    });
  });
  afterAll(async () => s3?.close()); // after the app's (afterAll hooks run last registered first)
  const app = useTestApp('pglite', env);
  attachmentBehaviour(app);

  it('hands out part addresses of the store itself, not of the API', async () => {
    const { client, ana, conversationId } = await app().client.directPair();
    const started = await startUpload(client, ana, conversationId, 'x.bin', 10);
    expect(started.parts[0]?.url.startsWith(`${s3?.endpoint}/`)).toBe(true);
  });
});

import { performance } from 'node:perf_hooks';
import { createMessage, segmentOf } from '@mailboat/schema';
import sharp from 'sharp';
import { v7 as uuidv7 } from 'uuid';
import * as Y from 'yjs';
import { createDatabase, listen, postgresServer, startApp, testEnv } from '../test/environment.js';
import { gql as gqlAt, knob, pct } from './lib.js';

/**
 * Photos and files, one API node on a real Postgres (a throwaway cluster, or
 * BENCH_DATABASE_URL), files on the filesystem store (`npm start`'s), over real HTTP on
 * 127.0.0.1:
 *
 * - time to visible: a 3 MB phone photo (a noisy 4032x3024 JPEG, so it compresses like a
 *   photo), from the sender starting its upload to the receiver, whose events stream is open,
 *   holding the thumbnail it shows: upload (start, PUT, complete: sniffing, EXIF strip and
 *   thumbnail included), push of the message, event at the receiver, thumbnail GET; p50/p99
 *   over BENCH_PHOTOS photos, one at a time;
 * - upload throughput of a large file (BENCH_FILE_MB, random bytes: no processing), parts PUT
 *   one after another as the app does;
 * - storage per photo: the original as stored (re-encoded without metadata) and the thumbnail.
 *
 * Run: `node scripts/pnpm.mjs exec tsx api/bench/attachments.ts` (BENCH_PHOTOS, BENCH_FILE_MB,
 * BENCH_STRIP_METADATA=false to measure without re-encoding photos).
 */

const ms = (x: number) => `${x.toFixed(0)} ms`;

/**
 * A 12-megapixel photo that compresses like one (about 3 MB at quality 90): smooth shapes
 * (noise at 1/32 of the size, scaled up) under fine grain, with GPS EXIF to strip. Pure noise
 * would be the worst case for JPEG and WebP alike, not a photo.
 */
async function phonePhoto(): Promise<Buffer> {
  let seed = 42;
  const random = () => {
    seed = (seed * 1664525 + 1013904223) >>> 0;
    return seed >>> 24;
  };
  const shapes = Buffer.alloc(126 * 95 * 3).map(random);
  const base = await sharp(shapes, { raw: { width: 126, height: 95, channels: 3 } })
    .resize(4032, 3024, { kernel: 'cubic' })
    .raw()
    .toBuffer();
  for (let i = 0; i < base.length; i++) base[i] = Math.max(0, Math.min(255, (base[i] as number) + (random() % 24) - 12));
  return sharp(base, { raw: { width: 4032, height: 3024, channels: 3 } })
    .jpeg({ quality: 90 })
    .withExif({ IFD3: { GPSLatitudeRef: 'N', GPSLatitude: '48/1 51/1 2400/100' } })
    .toBuffer();
}

async function main() {
  const server = await postgresServer(process.env.BENCH_DATABASE_URL);
  const app = await startApp(
    testEnv({
      DATABASE_URL: await createDatabase(server.url, 'mailboat_bench'),
      ATTACHMENT_STRIP_METADATA: process.env.BENCH_STRIP_METADATA ?? 'true',
    }),
  );
  const http = await listen(app);
  const gql = (query: string, variables: Record<string, unknown>, token?: string) => gqlAt(http.url, query, variables, token);
  const signUp = async (name: string) => {
    const d = await gql('mutation($i: SignUpInput!) { signUp(input: $i) { accessToken user { id } } }', {
      i: {
        handle: `${name.toLowerCase()}_${process.pid}`,
        password: 'correct horse battery',
        displayName: name,
        device: { name: 'd', platform: 'bench', appVersion: '1' },
        refreshTokenDelivery: 'BODY',
      },
    });
    return { token: d.signUp.accessToken as string, userId: d.signUp.user.id as string };
  };
  const upload = async (token: string, conversationId: string, bytes: Uint8Array, name: string) => {
    const id = uuidv7();
    const started = (
      await gql(
        'mutation($i: StartAttachmentUploadInput!) { startAttachmentUpload(input: $i) { attachmentId parts { offset size url } } }',
        { i: { conversationId, clientAttachmentId: id, name, size: bytes.byteLength } },
        token,
      )
    ).startAttachmentUpload;
    for (const p of started.parts) {
      const res = await fetch(new URL(p.url, http.url), { method: 'PUT', body: bytes.subarray(p.offset, p.offset + p.size) as BodyInit });
      if (!res.ok) throw new Error(`part: ${res.status}`);
    }
    const done = (
      await gql(
        'mutation($id: ID!) { completeAttachmentUpload(attachmentId: $id) { contentType width height } }',
        { id: started.attachmentId },
        token,
      )
    ).completeAttachmentUpload;
    return { id, ...done };
  };

  try {
    const ana = await signUp('Ana');
    const bo = await signUp('Bo');
    const conversationId = (await gql('mutation($u: ID!) { openDirectConversation(userId: $u) { id } }', { u: bo.userId }, ana.token))
      .openDirectConversation.id as string;

    // Bo's events stream: resolves each waiter when a SegmentUpdatedEvent arrives.
    const waiters: (() => void)[] = [];
    const stream = await fetch(`${http.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'text/event-stream', authorization: `Bearer ${bo.token}` },
      body: JSON.stringify({ query: 'subscription { events { __typename ... on SegmentUpdatedEvent { segment } } }' }),
    });
    const reader = (stream.body as ReadableStream<Uint8Array>).getReader();
    void (async () => {
      const decoder = new TextDecoder();
      for (;;) {
        const { done, value } = await reader.read();
        if (done) return;
        if (decoder.decode(value).includes('SegmentUpdatedEvent')) waiters.shift()?.();
      }
    })();

    const photos = knob('BENCH_PHOTOS', 20);
    const photo = await phonePhoto();
    const totals: number[] = [];
    const uploads: number[] = [];
    const delivered: number[] = [];
    const thumbnails: number[] = [];
    let lastId = '';
    for (let i = 0; i < photos; i++) {
      const t0 = performance.now();
      const up = await upload(ana.token, conversationId, photo, `IMG_${i}.jpg`);
      const t1 = performance.now();
      const doc = new Y.Doc();
      const createdAt = Date.now();
      let update: Uint8Array = new Uint8Array();
      doc.on('update', (u: Uint8Array) => {
        update = u;
      });
      const ref = { id: up.id, name: `IMG_${i}.jpg`, type: up.contentType, size: photo.byteLength, width: up.width, height: up.height };
      createMessage(doc, { id: uuidv7(), author: ana.userId, createdAt, text: '', attachments: [ref] });
      const arrived = new Promise<void>((resolve) => waiters.push(resolve));
      await gql(
        'mutation($u: [SegmentUpdateInput!]!) { pushUpdates(updates: $u) { results { status } } }',
        { u: [{ conversationId, segment: segmentOf(createdAt), update: Buffer.from(update).toString('base64') }] },
        ana.token,
      );
      await arrived;
      const t2 = performance.now();
      const thumb = await fetch(`${http.url}/attachments/${up.id}/thumbnail`, { headers: { authorization: `Bearer ${bo.token}` } });
      await thumb.arrayBuffer();
      const t3 = performance.now();
      uploads.push(t1 - t0);
      delivered.push(t2 - t1);
      thumbnails.push(t3 - t2);
      totals.push(t3 - t0);
      lastId = up.id;
    }
    const row = await app.deps.db
      .selectFrom('attachments')
      .select(['size', 'stored_bytes', 'thumbnail_bytes'])
      .where('id', '=', lastId)
      .executeTakeFirstOrThrow();

    const fileMb = knob('BENCH_FILE_MB', 64);
    const file = new Uint8Array(fileMb * 2 ** 20);
    for (let i = 0; i < file.length; i += 65536) crypto.getRandomValues(file.subarray(i, i + 65536));
    const f0 = performance.now();
    await upload(ana.token, conversationId, file, 'big.bin');
    const fileSeconds = (performance.now() - f0) / 1000;
    await reader.cancel();

    console.log(`\nPhotos and files (one node, files on the filesystem store, real HTTP on 127.0.0.1, ${photos} photos)`);
    console.log(`  photo: ${(photo.byteLength / 2 ** 20).toFixed(2)} MiB JPEG, 4032x3024, with GPS EXIF`);
    console.log(`  send to visible at the receiver: p50 ${ms(pct(totals, 50))}, p99 ${ms(pct(totals, 99))}`);
    console.log(
      `    of which upload+complete p50 ${ms(pct(uploads, 50))}, push to event p50 ${ms(pct(delivered, 50))}, thumbnail GET p50 ${ms(pct(thumbnails, 50))}`,
    );
    console.log(
      `  photo upload throughput (incl. processing): ${(photo.byteLength / 2 ** 20 / (pct(uploads, 50) / 1000)).toFixed(1)} MiB/s`,
    );
    console.log(
      `  stored per photo: original ${((row.stored_bytes ?? 0) / 1024) | 0} KiB (uploaded ${(row.size / 1024) | 0} KiB) + thumbnail ${((row.thumbnail_bytes ?? 0) / 1024) | 0} KiB`,
    );
    console.log(`  ${fileMb} MiB file (no processing), parts one after another: ${(fileMb / fileSeconds).toFixed(0)} MiB/s`);
  } finally {
    await http.close();
    await app.close();
    server.stop();
  }
}

await main();

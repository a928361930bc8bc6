import { type AttachmentRef, createMessage, segmentOf } from '@mailboat/schema';
import { sniffContentType } from '@mailboat/schema/sniff';
import sharp from 'sharp';
import { v7 as uuidv7 } from 'uuid';
import { expect } from 'vitest';
import { encodeGlobalId } from '../src/global-ids.js';
import type { Session, TestClient } from './harness.js';
import type { SyncDevice } from './sync-device.js';

export const START = `mutation($input: StartAttachmentUploadInput!) {
  startAttachmentUpload(input: $input) { attachmentId complete parts { number offset size url headers { name value } } }
}`;
export const COMPLETE = `mutation($id: ID!) {
  completeAttachmentUpload(attachmentId: $id) { id name contentType size inline width height url thumbnailUrl }
}`;

export type UploadPart = { number: number; offset: number; size: number; url: string; headers: { name: string; value: string }[] };

/** PUTs one part where the API said, as a browser would (an API path through yoga, an absolute URL with fetch). */
export async function putPart(client: TestClient, part: UploadPart, body: Uint8Array): Promise<Response> {
  const init = { method: 'PUT', body: body as BodyInit, headers: Object.fromEntries(part.headers.map((h) => [h.name, h.value])) };
  return part.url.startsWith('/') ? client.request(part.url, init) : fetch(part.url, init);
}

export async function startUpload(client: TestClient, s: Session, conversationId: string, name: string, size: number, id = uuidv7()) {
  const data = await client.ok(START, { input: { conversationId, clientAttachmentId: id, name, size } }, s.accessToken);
  return { id, ...(data.startAttachmentUpload as { attachmentId: string; complete: boolean; parts: UploadPart[] }) };
}

/** Uploads `bytes` whole (start, every part, complete); returns the attachment and the ref a message names it with. */
export async function upload(client: TestClient, s: Session, conversationId: string, bytes: Uint8Array, name: string) {
  const started = await startUpload(client, s, conversationId, name, bytes.byteLength);
  for (const part of started.parts) {
    const answer = await putPart(client, part, bytes.subarray(part.offset, part.offset + part.size));
    expect(answer.ok, `part ${part.number}: ${answer.status}`).toBe(true);
  }
  const attachment = (await client.ok(COMPLETE, { id: started.attachmentId }, s.accessToken)).completeAttachmentUpload;
  const ref: AttachmentRef = { id: started.id, name, type: attachment.contentType, size: bytes.byteLength };
  if (attachment.width !== null) Object.assign(ref, { width: attachment.width, height: attachment.height });
  return { id: started.id, globalId: encodeGlobalId('Attachment', started.id), attachment, ref };
}

/** Writes a message naming `refs` on the device (queued in its outbox); returns its id and segment. */
export function sendWithFiles(device: SyncDevice, conversationId: string, refs: AttachmentRef[], text = '', createdAt = Date.now()) {
  const id = uuidv7();
  const segment = segmentOf(createdAt);
  createMessage(device.doc(conversationId, segment), { id, author: device.session.userId, createdAt, text, attachments: refs }, 'local');
  return { id, segment };
}

/** A phone photo: a JPEG with GPS position and camera in EXIF, turned by orientation 6 (so it shows height x width). */
export async function phonePhoto(width = 64, height = 48): Promise<Buffer> {
  return sharp({ create: { width, height, channels: 3, background: '#2050c0' } })
    .jpeg({ quality: 90 })
    .withExif({
      IFD0: { Make: 'TestPhone', Model: 'Pro 12' },
      IFD3: { GPSLatitudeRef: 'N', GPSLatitude: '48/1 51/1 2400/100', GPSLongitudeRef: 'E', GPSLongitude: '2/1 21/1 0/1' },
    })
    .withMetadata({ orientation: 6 })
    .toBuffer();
}

/** Random bytes (a binary file no signature matches). */
export const randomFile = (size: number) => {
  const bytes = new Uint8Array(size);
  for (let i = 0; i < size; i += 65536) crypto.getRandomValues(bytes.subarray(i, Math.min(size, i + 65536)));
  bytes[0] = 0; // never valid text
  return bytes;
};

export const bodyOf = async (r: Response) => new Uint8Array(await r.arrayBuffer());

export { sniffContentType };

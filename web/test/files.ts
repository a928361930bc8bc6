/// <reference types="node" />
import { resolveObjectURL } from 'node:buffer';
import type { Account } from '../src/sync/account.js';
import { type Device, accountOf as heldAccount } from './harness.js';

/** Files and looks into the device's attachment stores, for the attachment tests. */

/** A 1×1 PNG. */
const PNG = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==', 'base64');

export const pngFile = (name = 'dot.png') => new File([PNG], name, { type: 'image/png' });
export const textFile = (text: string, name = 'notes.txt', type = 'text/plain') => new File([text], name, { type });

/** `size` bytes that are not text (so they sniff as application/octet-stream), different for every `seed`. */
export function binaryFile(size: number, name = 'data.bin', seed = 1): File {
  const bytes = new Uint8Array(size);
  let x = seed * 2654435761;
  for (let i = 0; i < size; i++) {
    x = (x * 1103515245 + 12345) >>> 0;
    bytes[i] = x >>> 24;
  }
  bytes[0] = 0; // a NUL: never text
  return new File([bytes], name);
}

export const bytesOf = async (blob: Blob) => new Uint8Array(await blob.arrayBuffer());

/** Byte equality of large arrays (toEqual compares element by element: minutes for megabytes). */
export const sameBytes = (a: Uint8Array, b: Uint8Array) => Buffer.from(a).equals(Buffer.from(b));

/** The Blob behind an object URL the client handed out. */
export function objectUrlBlob(url: string): Blob {
  const blob = resolveObjectURL(url);
  if (!blob) throw new Error(`no blob behind ${url}`);
  return blob as unknown as Blob;
}

export function accountOf(d: Device): Account {
  const account = heldAccount(d);
  if (!account) throw new Error(`${d.name} is signed out`);
  return account;
}

/** The device's upload records and cached byte keys. */
export async function stores(d: Device): Promise<{ uploads: string[]; cached: string[]; bytes: string[] }> {
  const db = accountOf(d).db;
  return {
    uploads: (await db.getAll('uploads')).map((u) => `${u.id}:${u.state}`),
    cached: (await db.getAll('attachmentCache')).map((e) => `${e.key}${e.pinned ? ':pinned' : ''}`),
    bytes: await db.getAllKeys('attachmentBytes'),
  };
}

/** Requests that PUT an upload part through the API (fs storage): their paths. */
export const partPuts = (d: Device) => d.requests.filter((r) => r.startsWith('/attachments/uploads/'));

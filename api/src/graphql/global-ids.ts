import { ErrorCode } from '@mailboat/schema';
import { AppError } from '../errors.js';

/**
 * Global IDs are readable and typed: a short type prefix and the row's UUID without dashes,
 * e.g. `usr_0193a1b2c3d47e5f8a9b0c1d2e3f4a5b`. Clients treat them as opaque strings; the
 * same string identifies the object everywhere (the API, Yjs documents, events).
 */
const prefixes = { User: 'usr', Device: 'dev', Conversation: 'cnv', Message: 'msg' } as const;
const typenames: Record<string, string> = Object.fromEntries(Object.entries(prefixes).map(([t, p]) => [p, t]));

export function encodeGlobalId(typename: string, id: string | number | bigint): string {
  const prefix = (prefixes as Record<string, string>)[typename];
  if (!prefix) throw new Error(`No global id prefix for ${typename}`);
  return `${prefix}_${String(id).replaceAll('-', '')}`;
}

/** A decoded global ID argument. */
export type GlobalId = { typename: string; id: string };

/** Throws BAD_USER_INPUT for a string that is not a Mailboat global ID. */
export function decodeGlobalId(globalId: string): { typename: string; id: string } {
  const match = /^([a-z]{3})_([0-9a-f]{32})$/.exec(globalId);
  const typename = match?.[1] && typenames[match[1]];
  if (!match?.[2] || !typename) {
    throw new AppError(ErrorCode.BAD_USER_INPUT, `"${globalId.slice(0, 64)}" is not a valid ID`, { field: 'id' });
  }
  const h = match[2];
  return { typename, id: `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}` };
}

/**
 * The row id of a decoded global ID argument, or BAD_USER_INPUT naming `field` when it is an
 * ID of another type (used instead of Pothos' `for` option, whose error carries no code).
 */
export function idOf(value: { typename: string; id: string }, typename: keyof typeof prefixes, field: string): string {
  if (value.typename !== typename) throw new AppError(ErrorCode.BAD_USER_INPUT, `Expected a ${typename} ID`, { field });
  return value.id;
}

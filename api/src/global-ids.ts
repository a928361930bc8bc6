import { ErrorCode, encodeGlobalId, type GlobalIdType, isGlobalIdType, parseGlobalId } from '@mailboat/schema';
import { AppError } from './errors.js';

export { encodeGlobalId } from '@mailboat/schema';

/** A decoded global ID argument, as Pothos passes it to resolvers (its type name a plain string). */
export type GlobalId = { typename: string; id: string };

// The global ID format lives in @mailboat/schema; this adds the API's typed errors for bad input.

/** The global ID of a Pothos node type (Pothos passes its type name as a plain string). */
export function encodeNodeId(typename: string, id: string | number | bigint): string {
  if (!isGlobalIdType(typename)) throw new Error(`No global id prefix for ${typename}`);
  return encodeGlobalId(typename, String(id));
}

/** Throws BAD_USER_INPUT for a string that is not a Mailboat global ID. */
export function decodeGlobalId(globalId: string): GlobalId {
  const decoded = parseGlobalId(globalId);
  if (!decoded) throw new AppError(ErrorCode.BAD_USER_INPUT, `"${globalId.slice(0, 64)}" is not a valid ID`, { field: 'id' });
  return decoded;
}

/**
 * The row id of a decoded global ID argument, or BAD_USER_INPUT naming `field` when it is an
 * ID of another type (used instead of Pothos' `for` option, whose error carries no code).
 */
export function idOf(value: GlobalId, typename: GlobalIdType, field: string): string {
  if (value.typename !== typename) throw new AppError(ErrorCode.BAD_USER_INPUT, `Expected a ${typename} ID`, { field });
  return value.id;
}

import { limits } from '@mailboat/schema';
import type { DefaultConnectionArguments } from '@pothos/plugin-relay';
import { type PageInfoShape, resolveCursorConnection } from '@pothos/plugin-relay';
import { badInput } from '../errors.js';
import * as validate from '../validate.js';

/** Opaque keyset cursors over (timestamp, uuid) pairs. */
export function encodeCursor(at: Date, id: string): string {
  return Buffer.from(`${at.getTime()}:${id}`).toString('base64url');
}

/** Throws BAD_USER_INPUT for a cursor this server did not make. */
export function decodeCursor(cursor: string | undefined): [Date, string] | undefined {
  if (cursor === undefined) return undefined;
  const match = /^(\d{1,15}):([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})$/.exec(
    Buffer.from(cursor, 'base64url').toString(),
  );
  if (!match?.[1] || !match[2]) throw badInput('cursor', 'Invalid pagination cursor');
  return [new Date(Number(match[1])), match[2]];
}

/** Maps Pothos' resolveCursorConnection page to repository keyset arguments. */
export function keysetPage(p: { before?: string; after?: string; limit: number; inverted: boolean }) {
  return { after: decodeCursor(p.after), before: decodeCursor(p.before), limit: p.limit, inverted: p.inverted };
}

export type KeysetPage = ReturnType<typeof keysetPage>;

/**
 * A Relay connection over a keyset-paginated list, page sizes from @mailboat/schema limits:
 * `first`/`last` over limits.pageSize.max is BAD_USER_INPUT, never silently shortened.
 */
export async function keysetConnection<T>(
  args: DefaultConnectionArguments,
  toCursor: (node: T) => string,
  load: (page: KeysetPage) => Promise<T[]>,
) {
  validate.pageSize('first', args.first);
  validate.pageSize('last', args.last);
  const connection = await resolveCursorConnection<Promise<T[]>>(
    { args, toCursor, defaultSize: limits.pageSize.default, maxSize: limits.pageSize.max },
    (page) => load(keysetPage(page)),
  );
  return connection as { pageInfo: PageInfoShape; edges: { cursor: string; node: T }[] };
}

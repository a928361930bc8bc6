/**
 * Global IDs are readable and typed: a short type prefix and the row's UUID without dashes,
 * e.g. `usr_0193a1b2c3d47e5f8a9b0c1d2e3f4a5b`. Clients treat them as opaque strings; the
 * same string identifies the object everywhere (the API, events). Yjs documents and the
 * database key the same object by its dashed lower-case UUID.
 */
const prefixes = { User: 'usr', Device: 'dev', Conversation: 'cnv', Message: 'msg', Attachment: 'att' } as const;

/** The object types that have global IDs. */
export type GlobalIdType = keyof typeof prefixes;

/** A decoded global ID: its type and its dashed UUID. */
export type GlobalId = { typename: GlobalIdType; id: string };

const typenames = new Map<string, GlobalIdType>(
  (Object.entries(prefixes) as [GlobalIdType, string][]).map(([typename, prefix]) => [prefix, typename]),
);

export function isGlobalIdType(typename: string): typename is GlobalIdType {
  return Object.hasOwn(prefixes, typename);
}

/** The global ID of the `typename` object whose UUID (dashed or not) is `uuid`. */
export function encodeGlobalId(typename: GlobalIdType, uuid: string): string {
  return `${prefixes[typename]}_${uuid.replaceAll('-', '').toLowerCase()}`;
}

/** The type and dashed UUID of a global ID, or null for any string that is not one. */
export function parseGlobalId(globalId: string): GlobalId | null {
  const match = /^([a-z]{3})_([0-9a-f]{32})$/.exec(globalId);
  const typename = match?.[1] === undefined ? undefined : typenames.get(match[1]);
  if (!match?.[2] || !typename) return null;
  return { typename, id: dashedUuid(match[2]) };
}

/** The lower-case dashed form (8-4-4-4-12) of a 32-digit hex UUID. */
export function dashedUuid(hex: string): string {
  const h = hex.toLowerCase();
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

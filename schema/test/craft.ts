import * as encoding from 'lib0/encoding';
import * as Y from 'yjs';

/**
 * Hand-made Yjs v1 updates, for hostile cases no Y.Doc would ever encode: structs with any
 * id, origin, right origin, parent and key, groups in any order (a client twice, none), and
 * any delete set. Structs are written with their own `write` (the wire format Yjs reads).
 */

export type Group = { client: number; clock: number; structs: (Y.Item | Y.GC | Y.Skip)[] };
/** Deletions: client -> [clock, length] ranges. */
export type Deletions = [client: number, ranges: [clock: number, len: number][]][];

export function encodeUpdate(groups: Group[], deletions: Deletions = []): Uint8Array {
  const encoder = new Y.UpdateEncoderV1();
  encoding.writeVarUint(encoder.restEncoder, groups.length);
  for (const g of groups) {
    encoding.writeVarUint(encoder.restEncoder, g.structs.length);
    encoder.writeClient(g.client);
    encoding.writeVarUint(encoder.restEncoder, g.clock);
    for (const s of g.structs) s.write(encoder, 0);
  }
  encoding.writeVarUint(encoder.restEncoder, deletions.length);
  for (const [client, ranges] of deletions) {
    encoder.resetDsCurVal();
    encoding.writeVarUint(encoder.restEncoder, client);
    encoding.writeVarUint(encoder.restEncoder, ranges.length);
    for (const [clock, len] of ranges) {
      encoder.writeDsClock(clock);
      encoder.writeDsLen(len);
    }
  }
  return encoder.toUint8Array();
}

/** Groups structs by client in the order they come (consecutive structs of a client make one group). */
export function groupsOf(structs: (Y.Item | Y.GC | Y.Skip)[]): Group[] {
  const groups: Group[] = [];
  for (const s of structs) {
    const last = groups.at(-1);
    if (last && last.client === s.id.client && last.clock + length(last) === s.id.clock) last.structs.push(s);
    else groups.push({ client: s.id.client, clock: s.id.clock, structs: [s] });
  }
  return groups;
}

const length = (g: Group) => g.structs.reduce((n, s) => n + s.length, 0);

/** The deletions of a decoded update, in encodeUpdate's form. */
export function deletionsOf(ds: { clients: Map<number, { clock: number; len: number }[]> }): Deletions {
  return [...ds.clients].map(([client, ranges]) => [client, ranges.map((r) => [r.clock, r.len] as [number, number])]);
}

export type ItemSpec = {
  origin?: Y.ID | null;
  rightOrigin?: Y.ID | null;
  /** A root type's name, or the id of the item holding the parent type (only written without origins). */
  parent?: string | Y.ID | null;
  parentSub?: string | null;
  content: Y.Item['content'];
};

/** An item as a decoded update holds it. */
export function item(client: number, clock: number, spec: ItemSpec): Y.Item {
  return new Y.Item(
    Y.createID(client, clock),
    null,
    spec.origin ?? null,
    null,
    spec.rightOrigin ?? null,
    (spec.parent ?? null) as never,
    spec.parentSub ?? null,
    spec.content,
  );
}

export const any = (...values: unknown[]) => new Y.ContentAny(values);
export const gc = (client: number, clock: number, len: number) => new Y.GC(Y.createID(client, clock), len);
export const skip = (client: number, clock: number, len: number) => new Y.Skip(Y.createID(client, clock), len);

/** Re-encodes a decoded update's structs and deletions as they are (after tests mutated them). */
export function reencode(decoded: { structs: (Y.Item | Y.GC | Y.Skip)[]; ds: Parameters<typeof deletionsOf>[0] }): Uint8Array {
  return encodeUpdate(groupsOf(decoded.structs), deletionsOf(decoded.ds));
}

import type { AccountEvent, DeviceSignal, Topics } from '../pubsub.js';

/** Postgres refuses a NOTIFY payload of 8,000 bytes or more; stay clear of it. */
export const MAX_NOTICE_BYTES = 7900;

/** The topics that cross nodes (the `node` topic is this process's own business). */
export type SharedTopic = Exclude<keyof Topics, 'node'>;
export type SharedPayload = AccountEvent | DeviceSignal;

/** One event for some ids of one topic, as published on this node. */
export type Outgoing = { topic: SharedTopic; ids: string[]; payload: SharedPayload };

/**
 * One notification on the wire (JSON; Uint8Array values as `{"$b64": "..."}`): from node `o`,
 * its `n`th (consecutive per node, so a listener notices a gap; it also keeps two equal
 * events in one transaction from being merged by Postgres), event `p` for ids `i` of topic
 * `t`. With `ref`, `p` is a segmentUpdated event without its update: too large for a
 * notification, it is read back from segment_updates by (conversationId, segment, seq).
 */
export type Notice = { o: string; n: number; t: SharedTopic; i: string[]; p: SharedPayload; ref?: true };

const replacer = (_key: string, value: unknown) => (value instanceof Uint8Array ? { $b64: Buffer.from(value).toString('base64') } : value);
const reviver = (_key: string, value: any) =>
  value !== null && typeof value === 'object' && typeof value.$b64 === 'string' && Object.keys(value).length === 1
    ? new Uint8Array(Buffer.from(value.$b64, 'base64'))
    : value;

export const parseNotice = (text: string): Notice => JSON.parse(text, reviver) as Notice;

const bytes = (text: string) => Buffer.byteLength(text, 'utf8');

/**
 * Encodes `out` as notifications of at most `limit` bytes each, numbered from `firstN`: the
 * ids are split over several notifications when there are many; a segment update too large
 * to travel inline travels as a reference. Returns the texts (empty when the event cannot be
 * sent at all: a payload other than a segment update that is over the limit by itself).
 */
export function encodeNotices(origin: string, firstN: number, out: Outgoing, limit = MAX_NOTICE_BYTES): string[] {
  let payload: SharedPayload = out.payload;
  let ref: true | undefined;
  const sizeWith = (ids: string[]) => bytes(JSON.stringify({ o: origin, n: firstN, t: out.topic, i: ids, p: payload, ref }, replacer));
  if (sizeWith(out.ids.slice(0, 1)) + 12 > limit) {
    if (payload.kind !== 'segmentUpdated') return [];
    const { update: _omitted, ...rest } = payload;
    payload = { ...rest, update: new Uint8Array(0) };
    ref = true;
  }
  const base = sizeWith([]) + 12; // room for a larger n
  const texts: string[] = [];
  let ids: string[] = [];
  let size = base;
  const flush = () => {
    texts.push(JSON.stringify({ o: origin, n: firstN + texts.length, t: out.topic, i: ids, p: payload, ref }, replacer));
    ids = [];
    size = base;
  };
  for (const id of out.ids) {
    const cost = bytes(JSON.stringify(id)) + 1;
    if (ids.length > 0 && size + cost > limit) flush();
    ids.push(id);
    size += cost;
  }
  if (ids.length > 0) flush();
  return texts;
}

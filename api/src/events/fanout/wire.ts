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

const reviver = (_key: string, value: any) =>
  value !== null && typeof value === 'object' && typeof value.$b64 === 'string' && Object.keys(value).length === 1
    ? new Uint8Array(Buffer.from(value.$b64, 'base64'))
    : value;

export const parseNotice = (text: string): Notice => JSON.parse(text, reviver) as Notice;

/** The payload as JSON, its one byte field (a segment update) as `{"$b64": …}`. */
function payloadJson(payload: SharedPayload): string {
  if (payload.kind !== 'segmentUpdated') return JSON.stringify(payload);
  return JSON.stringify({ ...payload, update: { $b64: Buffer.from(payload.update).toString('base64') } });
}

/** The start of every notification from `origin` (a receiver skips its own by it, unparsed). */
export const noticePrefix = (origin: string): string => `{"o":${JSON.stringify(origin)},`;

/**
 * Encodes `out` as notifications of at most `limit` bytes each, numbered from `firstN`: the
 * ids are split over several notifications when there are many; a segment update too large
 * to travel inline travels as a reference. Returns the texts (empty when the event cannot be
 * sent at all: a payload other than a segment update that is over the limit by itself). The
 * payload is encoded once, however many notifications carry it.
 */
export function encodeNotices(origin: string, firstN: number, out: Outgoing, limit = MAX_NOTICE_BYTES): string[] {
  const head = `${noticePrefix(origin)}"n":`;
  const topic = JSON.stringify(out.topic);
  let payload = payloadJson(out.payload);
  let tail = '}';
  // Fixed bytes of a notification besides its ids: n (room for 12 digits), topic, payload, brackets.
  const fixed = () => Buffer.byteLength(head) + 12 + Buffer.byteLength(`,"t":${topic},"i":[],"p":${payload}${tail}`);
  const firstId = out.ids[0] === undefined ? 0 : Buffer.byteLength(JSON.stringify(out.ids[0]));
  if (fixed() + firstId > limit) {
    if (out.payload.kind !== 'segmentUpdated') return [];
    payload = payloadJson({ ...out.payload, update: new Uint8Array(0) });
    tail = ',"ref":true}';
  }
  const base = fixed();
  const texts: string[] = [];
  let ids: string[] = [];
  let size = base;
  const flush = () => {
    texts.push(`${head}${firstN + texts.length},"t":${topic},"i":[${ids.join(',')}],"p":${payload}${tail}`);
    ids = [];
    size = base;
  };
  for (const id of out.ids) {
    const json = JSON.stringify(id);
    const cost = Buffer.byteLength(json) + 1;
    if (ids.length > 0 && size + cost > limit) flush();
    ids.push(json);
    size += cost;
  }
  if (ids.length > 0) flush();
  return texts;
}

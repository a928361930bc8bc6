import { MAX_STREAMS_PER_DEVICE, MAX_STREAMS_PER_USER } from '../src/events/stream-caps.js';

/** Which user (index) and which of that user's devices (index) holds one event stream. */
export type StreamSlot = { user: number; device: number };

/**
 * Spreads `streams` event streams over users and devices so that none is refused by the API's
 * stream caps (MAX_STREAMS_PER_DEVICE per device, MAX_STREAMS_PER_USER per user on one node):
 * at least `minUsers` users, more when the streams need them, streams dealt round-robin over
 * the users, and a new device for each MAX_STREAMS_PER_DEVICE streams of one user.
 */
export function streamSlots(streams: number, minUsers: number): { users: number; slots: StreamSlot[] } {
  const users = Math.max(minUsers, Math.ceil(streams / MAX_STREAMS_PER_USER));
  const slots = Array.from({ length: streams }, (_, i) => ({
    user: i % users,
    device: Math.floor(Math.floor(i / users) / MAX_STREAMS_PER_DEVICE),
  }));
  return { users, slots };
}

/** How many devices each user needs for `slots`. */
export function devicesPerUser(users: number, slots: StreamSlot[]): number[] {
  const counts = new Array<number>(users).fill(1);
  for (const { user, device } of slots) counts[user] = Math.max(counts[user] ?? 1, device + 1);
  return counts;
}

import type { Session, TestClient } from '../harness.js';
import { HttpClient } from '../http-client.js';
import { SyncDevice } from '../sync-device.js';
import { prng, Writer, type WriterOptions } from './writers.js';

/** Fault-test settings: compaction runs often (every 40 updates a segment), so faults also strike compactions. */
export const FAULT_ENV = { COMPACT_AFTER_UPDATES: '40' };

/**
 * An HttpClient whose requests give up after `timeoutMs` (unless they bring their own
 * signal, as event streams do), so a request stuck on a faulty server fails and is retried.
 */
export class TimedHttpClient extends HttpClient {
  constructor(
    base: string,
    private readonly timeoutMs = 15_000,
  ) {
    super(base);
  }

  override async request(path: string, init: RequestInit = {}): Promise<Response> {
    return super.request(path, { signal: AbortSignal.timeout(this.timeoutMs), ...init });
  }
}

export type Crew = {
  /** One session per user, then the extra devices. */
  sessions: Session[];
  conversationIds: string[];
};

/** `users` people, each signed in on `devicesPerUser` devices, all members of `conversations` group conversations. */
export async function crew(client: TestClient, users: number, devicesPerUser: number, conversations: number): Promise<Crew> {
  const people = await Promise.all(Array.from({ length: users }, (_, i) => client.signUp(`crew${i}`)));
  const extra = await Promise.all(
    people.flatMap((p) => Array.from({ length: devicesPerUser - 1 }, (_, d) => client.signIn(p.handle, p.password, `Device ${d + 2}`))),
  );
  const [owner, ...others] = people as [Session, ...Session[]];
  const conversationIds: string[] = [];
  for (let c = 0; c < conversations; c++) conversationIds.push(await client.createGroup(owner, others, `Faults ${c}`));
  return { sessions: [...people, ...extra], conversationIds };
}

/** A writer per session, each on `clientFor(i)`, with its own random stream derived from `seed`. */
export function writersFor(
  crew: Crew,
  seed: number,
  clientFor: (i: number) => TestClient,
  options: Partial<Omit<WriterOptions, 'random' | 'conversationIds'>> = {},
): Writer[] {
  return crew.sessions.map(
    (s, i) =>
      new Writer(`w${i}`, new SyncDevice(clientFor(i), s), {
        conversationIds: crew.conversationIds,
        random: prng(seed + i * 7919),
        ...options,
      }),
  );
}

/** The seed of a fault test: FAULT_SEED when set, else the fixed one. Printed so a failure can be replayed. */
export function faultSeed(name: string, fixed: number): number {
  const seed = Number(process.env.FAULT_SEED ?? fixed);
  console.info(`[faults] ${name}: seed ${seed} (replay with FAULT_SEED=${seed})`);
  return seed;
}

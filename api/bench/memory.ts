import { SEGMENT_MS, segmentOf } from '@mailboat/schema';
import type { Db } from '../src/db/connect.js';
import { backdateConversation } from '../test/harness.js';
import type { ApiProcess } from '../test/http-client.js';
import { gql, load, rssOf, sleep } from './lib.js';
import { createGroup, PUSH, pushAll, signUp, Writer } from './workload.js';

/**
 * Server memory under write load, with short and with long histories: `conversations`
 * conversations take one-message pushes (`seconds` of load from up to 16 devices) while they hold
 * only what that load writes, then again after each received `history` older messages (in
 * past segments of 1,000), and again after `history` more. The API's resident memory after each
 * load: a write touches only the current segment and the segment cache has a memory budget, so
 * doubling history should not grow memory.
 */
export async function memoryUnderLoad(api: ApiProcess, db: Db, o: { conversations: number; history: number; seconds: number }) {
  const base = api.client.base;
  const perSegment = 1000;
  const segments = Math.ceil(o.history / perSegment);
  const author = await signUp(base, 'm');
  const ids: string[] = [];
  for (let i = 0; i < o.conversations; i++) ids.push(await createGroup(base, author, []));
  // The history goes back `2 * segments` hours before the current one.
  for (const id of ids) await backdateConversation(db, id, (2 * segments + 1) * SEGMENT_MS);
  const writers = ids.map((id) => new Writer(id, author.userId));
  const writeLoad = async () => {
    let turn = 0;
    // Each worker writes to its own conversations in turn (a writer's updates depend on its previous ones).
    const workers = Math.min(16, writers.length);
    const result = await load(o.seconds, workers, async (w) => {
      const mine = writers.filter((_, i) => i % workers === w);
      const writer = mine[turn++ % mine.length] as Writer;
      await gql(base, PUSH, { updates: [writer.next(1, Date.now())] }, author.token);
      return 1;
    });
    await sleep(500);
    return { rss: rssOf(api.pid as number), messagesPerSecond: result.perSecond };
  };
  const short = await writeLoad();
  const now = segmentOf(Date.now());
  // Older history each time: segments `from` to `from + segments` hours before the current one.
  const addHistory = async (from: number) => {
    for (const id of ids) {
      const history = new Writer(id, author.userId);
      const updates = [];
      for (let s = from; s < from + segments; s++) {
        for (let n = 0; n < perSegment; n += 500) updates.push(history.next(500, (now - 1 - s) * SEGMENT_MS + n));
      }
      await pushAll(base, author.token, updates, 20, 2);
    }
  };
  await addHistory(0);
  const long = await writeLoad();
  await addHistory(segments);
  const longer = await writeLoad();
  return { conversations: o.conversations, history: segments * perSegment, short, long, longer, ratio: long.rss / short.rss };
}

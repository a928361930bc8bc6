import 'fake-indexeddb/auto';
import { describe, expect, it } from 'vitest';
import { IndexeddbPersistence } from 'y-indexeddb';
import * as Y from 'yjs';
import { listenOutsideLoads } from '../src/sync/quiet-loads.js';

const persisted = async (name: string) => {
  const doc = new Y.Doc();
  const persistence = new IndexeddbPersistence(name, doc);
  const heard: { update: Uint8Array | null; origin: unknown }[] = [];
  listenOutsideLoads(doc, persistence, (update, origin) => heard.push({ update, origin }));
  await persistence.whenSynced;
  return { doc, persistence, heard };
};

describe('listening to a persisted document outside its loads', () => {
  it('reports a load without its update, passes every other update on, and y-indexeddb still stores them', async () => {
    const first = await persisted('quiet-loads');
    expect(first.heard).toEqual([]); // nothing stored yet: an empty load changes nothing
    first.doc.getMap('m').set('a', 1);
    expect(first.heard).toHaveLength(1);
    expect(first.heard[0]?.update).toBeInstanceOf(Uint8Array);
    await first.persistence.destroy();

    const second = await persisted('quiet-loads');
    expect(second.doc.getMap('m').get('a')).toBe(1);
    expect(second.heard).toEqual([{ update: null, origin: second.persistence }]);
    second.doc.transact(() => second.doc.getMap('m').set('b', 2), 'mine');
    expect(second.heard.at(-1)?.origin).toBe('mine');
    expect(Y.decodeUpdate(second.heard.at(-1)!.update!).structs).toHaveLength(1); // just the write, not the loaded state
    await second.persistence.destroy();

    const third = await persisted('quiet-loads');
    expect(third.doc.getMap('m').toJSON()).toEqual({ a: 1, b: 2 });
    await third.persistence.destroy();
  });

  it('keeps the loaded state from being encoded again', async () => {
    const writer = await persisted('quiet-loads-encoding');
    for (let i = 0; i < 50; i++) writer.doc.getMap('m').set(`k${i}`, i);
    await writer.persistence.destroy();

    const doc = new Y.Doc();
    const encoded: unknown[] = [];
    doc.on('afterTransactionCleanup', () => encoded.push(doc._observers.has('update')));
    const persistence = new IndexeddbPersistence('quiet-loads-encoding', doc);
    listenOutsideLoads(doc, persistence, () => {});
    await persistence.whenSynced;
    expect(encoded).toEqual([false]); // no 'update' listener while the load's transaction ended: Yjs encoded nothing
    doc.getMap('m').set('after', true);
    expect(encoded).toEqual([false, true]);
    await persistence.destroy();
  });
});

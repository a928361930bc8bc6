import type { IndexeddbPersistence } from 'y-indexeddb';
import type * as Y from 'yjs';

/** Told about a transaction's update; `update` is null for a load (see listenOutsideLoads). */
export type UpdateListener = (update: Uint8Array | null, origin: unknown) => void;

/** Whether a transaction changed the document (what Yjs checks before it emits an update). */
const changedDoc = (tr: Y.Transaction) =>
  tr.deleteSet.clients.size > 0 || [...tr.afterState].some(([client, clock]) => tr.beforeState.get(client) !== clock);

/**
 * Listens to the updates of a document persisted by y-indexeddb without paying for its loads.
 *
 * Yjs encodes a transaction's update whenever the document has an 'update' listener, and
 * y-indexeddb listens from the moment it is created, so applying what IndexedDB held (a
 * transaction whose origin is the persistence) would encode the whole stored document again,
 * for nobody: y-indexeddb ignores its own transactions, and a load is not news to the sync
 * core. So both listeners are detached while such a transaction runs, and attached again as
 * soon as any other transaction begins: every other update still reaches both, in order.
 * A load that changed the document is reported as `listener(null, persistence)`.
 */
export function listenOutsideLoads(doc: Y.Doc, persistence: IndexeddbPersistence, listener: UpdateListener): void {
  const onUpdate = (update: Uint8Array, origin: unknown) => listener(update, origin);
  doc.on('update', onUpdate);
  let detached = false;
  doc.on('beforeTransaction', (tr: Y.Transaction) => {
    const loading = tr.origin === persistence;
    if (loading === detached) return;
    detached = loading;
    // y-indexeddb detaches its own listener when destroyed; it must not come back then.
    const store = persistence._destroyed ? [] : [persistence._storeUpdate];
    for (const l of [...store, onUpdate]) {
      if (loading) doc.off('update', l);
      else doc.on('update', l);
    }
  });
  doc.on('afterTransactionCleanup', (tr: Y.Transaction) => {
    if (tr.origin === persistence && changedDoc(tr)) listener(null, tr.origin);
  });
}

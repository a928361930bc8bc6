import * as Y from 'yjs';
import { type CheckResult, type Judgement, judgementOf } from './check-result.js';
import type { Landing } from './integration.js';
import { Placement, type Role, sameRole } from './placement.js';
import { UpdateRefusedError } from './refusals.js';

/**
 * Applying an update the write rules accepted, and checking that Yjs did what the rules
 * judged (defence in depth: the rules model Yjs' integration, integration.ts; this catches any
 * place where the model and Yjs differ). The server stores and sends on the canonical update
 * (what Yjs integrated), never the pushed bytes.
 */

/** Yjs did not integrate an accepted update as the rules judged it (or threw): `doc` holds part of it and must be rebuilt. */
export class IntegrationFailedError extends UpdateRefusedError {
  override name = 'IntegrationFailedError';
  constructor(why: string) {
    super('MALFORMED_UPDATE', `Malformed update: ${why}`);
  }
}

/**
 * Applies `update` to `doc`, which `checked` (checkUpdate's result for exactly this update and
 * this document as it is now) accepted, in one transaction with `origin`. Verifies that
 * nothing is left pending and that every struct Yjs integrated is where the rules judged it
 * lands: the same clocks, garbage exactly where predicted, each item linked between
 * neighbours of its own parent and key, in the role the rules checked. Returns the canonical
 * update: what Yjs integrated (each struct from its real offset) and the deletions it really
 * applied, as the transaction encodes them; null when nothing changed.
 * Throws IntegrationFailedError (MALFORMED_UPDATE) when Yjs throws or the verification fails:
 * `doc` then holds part of the update and must be rebuilt from what was stored before.
 */
export function applyChecked(doc: Y.Doc, update: Uint8Array, checked: CheckResult, origin?: unknown): Uint8Array | null {
  const prediction = judgementOf(checked);
  if (!prediction) throw new Error('applyChecked needs the result checkUpdate returned for this update');
  let canonical: Uint8Array | null = null;
  const listen = (u: Uint8Array) => {
    canonical = u;
  };
  doc.on('update', listen);
  try {
    doc.transact((transaction) => {
      Y.applyUpdate(doc, update, origin);
      verify(doc, transaction.beforeState, prediction);
    }, origin);
  } catch (e) {
    if (e instanceof IntegrationFailedError) throw e;
    throw new IntegrationFailedError(`Yjs could not integrate it (${e instanceof Error ? e.message.slice(0, 80) : 'error'})`);
  } finally {
    doc.off('update', listen);
  }
  return canonical;
}

function verify(doc: Y.Doc, before: Map<number, number>, { integration, placement }: Judgement): void {
  const { store } = doc;
  if (store.pendingStructs || store.pendingDs) throw new IntegrationFailedError('Yjs left part of it pending');
  const live = new Placement();
  for (const [client, structs] of store.clients) {
    const from = before.get(client) ?? 0;
    const to = Y.getState(store, client);
    if (to === from) continue;
    if (to !== integration.state(client)) throw new IntegrationFailedError(`client ${client} ends at another clock than judged`);
    const landings = integration.landingsOf(client);
    let next = 0;
    for (let i = Y.findIndexSS(structs, from); i < structs.length; i++) {
      const struct = structs[i] as Y.Item | Y.GC;
      while (next < landings.length && endOf(landings[next] as Landing) <= struct.id.clock) next++;
      const landing = landings[next];
      if (!landing || landing.struct.id.clock > struct.id.clock || struct.id.clock + struct.length > endOf(landing)) {
        throw new IntegrationFailedError(`Yjs integrated ${client}:${struct.id.clock}, which the rules did not judge`);
      }
      checkStruct(struct, landing.place === null ? null : placement.roleOf(landing.struct), live);
    }
  }
}

const endOf = (landing: Landing) => landing.struct.id.clock + landing.struct.length;

/** A struct as integrated: garbage when judged so, else an item between neighbours of its own parent and key, in the judged role. */
function checkStruct(struct: Y.Item | Y.GC, judged: Role | null, live: Placement): void {
  if (struct instanceof Y.GC || judged === null) {
    if (struct instanceof Y.GC && judged === null) return;
    throw new IntegrationFailedError('garbage where the rules judged content, or content where they judged garbage');
  }
  const parent = struct.parent;
  if (!(parent instanceof Y.AbstractType)) throw new IntegrationFailedError('an item with no parent');
  const { left, right, parentSub: sub } = struct;
  const beside = (n: Y.Item | null) => n === null || (n.parent === parent && n.parentSub === sub);
  if (!beside(left) || !beside(right)) throw new IntegrationFailedError('an item linked next to content of another parent or key');
  if (left === null && (sub === null ? parent._start !== struct : firstOfKey(parent, sub) !== struct)) {
    throw new IntegrationFailedError('an item its parent does not start with');
  }
  if (right === null && sub !== null && parent._map.get(sub) !== struct)
    throw new IntegrationFailedError('an item its key does not end with');
  if (!sameRole(live.roleOf(struct), judged)) throw new IntegrationFailedError('an item in another place than the rules judged');
}

function firstOfKey(parent: Y.AbstractType<unknown>, sub: string): Y.Item | null {
  let item = parent._map.get(sub) ?? null;
  while (item?.left) item = item.left;
  return item;
}

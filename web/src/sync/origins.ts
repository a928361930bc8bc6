import type { WriteOp } from './write-ops.js';

/**
 * Yjs transaction origins, as a discriminated union. Only `local` changes (the viewer's own
 * writes on this device) are captured into the outbox; `remote` (from the server), `load`
 * (from IndexedDB or a rebuild) and y-indexeddb's own origin never are.
 */
export type Origin = { kind: 'local'; op: WriteOp; update?: Uint8Array } | { kind: 'remote' } | { kind: 'load' };

export const REMOTE: Origin = Object.freeze({ kind: 'remote' });
export const LOAD: Origin = Object.freeze({ kind: 'load' });

/** A fresh origin for one local write; the doc's update handler stores the update on it. */
export const localOrigin = (op: WriteOp): Extract<Origin, { kind: 'local' }> => ({ kind: 'local', op });

export function isLocalOrigin(origin: unknown): origin is Extract<Origin, { kind: 'local' }> {
  return typeof origin === 'object' && origin !== null && (origin as { kind?: unknown }).kind === 'local';
}

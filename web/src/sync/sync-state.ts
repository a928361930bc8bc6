import type { SyncState } from '../app/model.js';
import { Emitter } from './emitter.js';

/**
 * The client's SyncState and change notification. `get` returns the same object until a
 * field changes; `set` notifies only when the patch changes something.
 */
export class SyncStateBox {
  private state: SyncState;
  private readonly emitter = new Emitter();

  constructor(network: SyncState['network']) {
    this.state = { network, syncing: false, pending: 0, progress: null, problem: null, unsentDeadline: null };
  }

  /** The current state, with `pending` brought up to date (and its deadline: the sign-in's expiry, if known). */
  get(pending: number, signInExpiresAt: number | undefined): SyncState {
    const unsentDeadline = pending > 0 ? (signInExpiresAt ?? null) : null;
    if (pending !== this.state.pending || unsentDeadline !== this.state.unsentDeadline)
      this.state = { ...this.state, pending, unsentDeadline };
    return this.state;
  }

  get network(): SyncState['network'] {
    return this.state.network;
  }

  get problem(): string | null {
    return this.state.problem;
  }

  set(patch: Partial<SyncState>): void {
    const next = { ...this.state, ...patch };
    const same = (Object.keys(patch) as (keyof SyncState)[]).every((k) => JSON.stringify(this.state[k]) === JSON.stringify(next[k]));
    if (same) return;
    this.state = next;
    this.emitter.emit();
  }

  subscribe(listener: () => void): () => void {
    return this.emitter.subscribe(listener);
  }

  /** Notifies listeners (something other than the sync state changed). */
  emit(): void {
    this.emitter.emit();
  }
}

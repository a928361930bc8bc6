/** Change notification for useSyncExternalStore: listeners run synchronously on `emit`. */
export class Emitter {
  private readonly listeners = new Set<() => void>();

  subscribe(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => {
      this.listeners.delete(listener);
    };
  }

  emit(): void {
    for (const listener of [...this.listeners]) {
      try {
        listener();
      } catch (e) {
        console.error('Mailboat: a change listener threw', e);
      }
    }
  }
}

/**
 * Keeps the worker alive until `work` settles (event.waitUntil), and swallows its failure
 * after logging it. An event the page's script made itself (a test dispatching a
 * NotificationEvent) cannot be extended: the work then simply runs.
 */
export function keepAlive(event: ExtendableEvent, work: Promise<unknown>, what: string): void {
  const settled = work.catch((e: unknown) => console.warn(`Mailboat: ${what} failed`, e));
  try {
    event.waitUntil(settled);
  } catch {
    // A script-constructed event: nothing to extend.
  }
}

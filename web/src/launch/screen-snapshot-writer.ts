import type { MailboatClient } from '../app/model.js';
import type { ScreenSnapshots } from './screen-snapshot.js';
import { screenSnapshotHtml } from './screen-snapshot-html.js';

/** How long after a change the screen snapshot is taken (changes meanwhile share it), then at the next idle moment. */
export const SCREEN_SNAPSHOT_DELAY_MS = 1000;

/** The screens worth a screen snapshot (route names): the ones drawn from the device's own data. */
const SCREEN_SNAPSHOT_ROUTES = new Set(['home', 'conversation']);

/** The page's route, as the writer follows it (main.tsx passes ui/router.ts's). */
export type RouteWatch = {
  /** The name of the route the page shows. */
  current: () => string;
  /** Calls `listener` after every change of route; returns what stops it. */
  onChange: (listener: () => void) => () => void;
};

/**
 * Keeps the screen snapshot (screen-snapshot.ts) up to date, off the hot path: a change of
 * the client's data or of the route arms a timer, and the screen snapshot is taken at the
 * next idle moment after it; when the page is hidden or left (pagehide) a due one is taken
 * at once, the last chance on a phone.
 *
 * A screen snapshot is taken only of the signed-in shell (`#root > .app[data-user-id]`) of
 * the account the client has open, on a screen drawn from local data: never of the sign-in
 * screens, of another account, or of the painted screen snapshot itself (not the shell).
 */
export class ScreenSnapshotWriter {
  private timer: ReturnType<typeof setTimeout> | null = null;
  private idle: number | null = null;
  /** Something changed since the last screen snapshot. */
  private due = false;
  private readonly stops: (() => void)[];

  constructor(
    private readonly root: HTMLElement,
    private readonly client: Pick<MailboatClient, 'session' | 'subscribe'>,
    private readonly snapshots: ScreenSnapshots,
    private readonly route: RouteWatch,
  ) {
    const onHidden = () => {
      if (document.visibilityState === 'hidden') this.flush();
    };
    const onPageHide = () => this.flush();
    document.addEventListener('visibilitychange', onHidden);
    window.addEventListener('pagehide', onPageHide);
    this.stops = [
      client.subscribe(this.changed),
      route.onChange(this.changed),
      () => document.removeEventListener('visibilitychange', onHidden),
      () => window.removeEventListener('pagehide', onPageHide),
    ];
    this.changed(); // the first render
  }

  /** What the screen shows may have changed: take a screen snapshot soon. */
  readonly changed = (): void => {
    this.due = true;
    if (this.timer !== null || this.idle !== null) return;
    this.timer = setTimeout(() => {
      this.timer = null;
      if (typeof requestIdleCallback !== 'function') return this.flush();
      this.idle = requestIdleCallback(() => {
        this.idle = null;
        this.flush();
      });
    }, SCREEN_SNAPSHOT_DELAY_MS);
  };

  /** Takes the screen snapshot now if one is due. */
  flush(): void {
    this.cancel();
    if (!this.due) return;
    this.due = false;
    this.take();
  }

  /** Takes the screen snapshot now, if the screen is worth one; returns whether one was stored. */
  take(): boolean {
    const userId = this.client.session()?.user.id;
    const shown = this.root.querySelector(':scope > .app[data-user-id]')?.getAttribute('data-user-id');
    if (!userId || shown !== userId || !SCREEN_SNAPSHOT_ROUTES.has(this.route.current())) return false;
    return this.snapshots.store({ userId, route: location.hash, html: screenSnapshotHtml(this.root), savedAt: Date.now() });
  }

  stop(): void {
    this.cancel();
    for (const stop of this.stops) stop();
  }

  private cancel(): void {
    if (this.timer !== null) clearTimeout(this.timer);
    if (this.idle !== null) cancelIdleCallback(this.idle);
    this.timer = null;
    this.idle = null;
  }
}

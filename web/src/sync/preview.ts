import type { ConversationSummary, ConversationView, Session } from '../app/model.js';
import type { FirstPaint } from './first-paint.js';
import { getMeta, openAccountDb, readCurrentAccount } from './local-db.js';

/**
 * Below this many held messages, the documents load about as fast as a preview would
 * appear: the launch then simply waits for them (and `ready` means "open"). Tests lower it.
 */
export const previewPolicy = { minHeldMessages: 1000 };

/**
 * The read-only snapshots a launch shows from the stored FirstPaint while the account's
 * documents load: the stored session, the conversation list, and the newest rows of the
 * conversations read last (any other conversation is empty). Every view is marked
 * `cached`. Each getter returns the same object every time.
 */
export class Preview {
  private readonly views = new Map<string, ConversationView>();

  constructor(
    readonly session: Session,
    private readonly paint: FirstPaint,
  ) {}

  get summaries(): ConversationSummary[] {
    return this.paint.summaries;
  }

  view(conversationId: string): ConversationView {
    let view = this.views.get(conversationId);
    if (!view) {
      const stored = this.paint.views.find((v) => v.conversationId === conversationId);
      // Rows stored by an app released before edit histories have no versions: they show none.
      const messages = (stored?.messages ?? []).map((m) => (Array.isArray(m.versions) ? m : { ...m, versions: [] }));
      view = { messages, hasOlder: stored?.hasOlder ?? false, loadingOlder: false, cached: true };
      this.views.set(conversationId, view);
    }
    return view;
  }
}

/** The preview of the account this device is signed into, or null when there is none worth showing. */
export async function readPreview(factory: IDBFactory): Promise<Preview | null> {
  const userId = await readCurrentAccount(factory);
  if (!userId) return null;
  const db = await openAccountDb(factory, userId);
  try {
    const session = await getMeta(db, 'session');
    const paint = await getMeta(db, 'firstPaint');
    if (!session || !paint || paint.heldMessages < previewPolicy.minHeldMessages) return null;
    return new Preview(session, paint);
  } finally {
    db.close();
  }
}

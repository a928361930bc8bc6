import type { ConversationSummary, ConversationView, Session } from '../app/model.js';
import { getMeta, openAccountDb, readCurrentAccount } from '../sync/local-db.js';
import type { PreviewRecord } from './preview-record.js';

/**
 * Below this many held messages, the documents load about as fast as a preview would
 * appear: the launch then simply waits for them (and `ready` means "open"). Tests lower it.
 */
export const previewPolicy = { minHeldMessages: 1000 };

/**
 * The preview: the read-only snapshots a launch shows from the stored PreviewRecord while the
 * account's documents load: the stored session, the conversation list, and the newest rows
 * of the conversations read last (any other conversation is empty). Every view is marked
 * `preview`. Each getter returns the same object every time.
 */
export class Preview {
  private readonly views = new Map<string, ConversationView>();

  constructor(
    readonly session: Session,
    private readonly record: PreviewRecord,
  ) {}

  get summaries(): ConversationSummary[] {
    return this.record.summaries;
  }

  view(conversationId: string): ConversationView {
    let view = this.views.get(conversationId);
    if (!view) {
      const stored = this.record.views.find((v) => v.conversationId === conversationId);
      // Rows stored by an app released before edit histories (or attachments) have none: they show none.
      const messages = (stored?.messages ?? []).map((m) =>
        Array.isArray(m.versions) && Array.isArray(m.attachments)
          ? m
          : { ...m, versions: Array.isArray(m.versions) ? m.versions : [], attachments: Array.isArray(m.attachments) ? m.attachments : [] },
      );
      view = { messages, hasOlder: stored?.hasOlder ?? false, loadingOlder: false, preview: true };
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
    const record = await getMeta(db, 'firstPaint');
    if (!session || !record || record.heldMessages < previewPolicy.minHeldMessages) return null;
    return new Preview(session, record);
  } finally {
    db.close();
  }
}

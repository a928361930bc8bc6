/**
 * The contract between the local-first sync core (web/src/sync, behind createMailboatClient)
 * and the screens (web/src/ui). Screens read plain, immutable snapshots and call commands;
 * they never touch Yjs, IndexedDB or GraphQL. Every snapshot getter returns the same object
 * until something changes (so it works with React's useSyncExternalStore), and `subscribe`
 * calls its listener after any change.
 *
 * IDs are the API's global IDs (usr_…, cnv_…, msg_…, dev_…).
 */

import type { ErrorCode } from '@mailboat/schema';

export type User = { id: string; handle: string; displayName: string };

export type Session = { user: User; deviceId: string };

/** Whether someone is online now, else when they last were (epoch ms; null while online). */
export type Presence = { online: boolean; lastSeenAt: number | null };

/** How long `mute` silences a conversation's notifications. */
export type MuteDuration = 'EIGHT_HOURS' | 'ONE_WEEK' | 'ALWAYS';

/** What the app shows about the connection; `pending` counts writes not yet acknowledged. */
export type SyncState = {
  network: 'online' | 'offline';
  /** Pushing the outbox or catching up right now. */
  syncing: boolean;
  pending: number;
  /** Set during a long first sync on a new device: conversations (or segments) done of total. */
  progress: { done: number; total: number } | null;
  /** The last sync failure worth showing (e.g. "signed out on another device"), else null. */
  problem: string | null;
  /**
   * When writes still pending are lost unless the device reaches Mailboat before then (its
   * sign-in expires unused), epoch ms; null when nothing is pending or the time is unknown.
   */
  unsentDeadline: number | null;
};

/**
 * An own message's progress: written on the device but not acknowledged (pending), committed
 * (sent), synced by every other member's device (delivered), read by every other member (read),
 * or refused by the server and rolled back (failed).
 */
export type Tick = 'pending' | 'sent' | 'delivered' | 'read' | 'failed';

export type Reaction = { userId: string; emoji: string };

/** One version of a message's text: what it said from `at` (epoch ms) until the next version. */
export type TextVersion = { id: string; text: string; at: number };

export type ChatMessage = {
  id: string;
  conversationId: string;
  author: User;
  mine: boolean;
  text: string;
  /** Epoch milliseconds. */
  createdAt: number;
  /** When the shown text was written, when it is not the original (the message shows "edited"); else null. */
  editedAt: number | null;
  /**
   * The edit history: every version of the text, oldest first; the last is the one shown
   * (`text`). Concurrent edits each stay here, whichever won. Empty when deleted.
   */
  versions: TextVersion[];
  deleted: boolean;
  replyTo: string | null;
  reactions: Reaction[];
  /** Only for own messages. */
  tick: Tick | null;
  /** Set when tick is 'failed': why, and whether `retry` can help. */
  failure: { code: ClientErrorCode; message: string; retryable: boolean } | null;
  /** Photos and files, in the order they were attached; empty when deleted. */
  attachments: ChatAttachment[];
};

/** A photo or file of a message (schema's AttachmentRef, with this device's upload of it). */
export type ChatAttachment = {
  id: string;
  name: string;
  /** The content type sniffed from the bytes. */
  type: string;
  /** Bytes, as sent. */
  size: number;
  /** Pixel size of an image after orientation; null when unknown. */
  width: number | null;
  height: number | null;
  /** A ThumbHash (base64) to paint before the image arrives; null when none. */
  thumbhash: string | null;
  /** A raster image shown inline (schema's isInlineImageType); anything else is a file to download. */
  inline: boolean;
  /** This device's upload of it; null once uploaded, or when another device sent it. */
  upload: AttachmentUpload | null;
};

export type AttachmentUpload = {
  /** waiting: queued (offline, or behind another upload); failed: refused, see `error`. */
  state: 'waiting' | 'uploading' | 'failed';
  sentBytes: number;
  error: string | null;
};

export type AttachmentLimits = { maxFileBytes: number; maxMessageBytes: number; maxPerMessage: number };

export type AttachmentVariant = 'thumbnail' | 'original';

export type MemberRole = 'OWNER' | 'ADMIN' | 'MEMBER';

export type ConversationSummary = {
  id: string;
  kind: 'DIRECT' | 'GROUP';
  /** The group's title, or the other person's display name for a direct conversation. */
  title: string;
  memberCount: number;
  viewerRole: MemberRole;
  unreadCount: number;
  /**
   * The viewer muted its notifications (on any of their devices), and the mute has not ended:
   * a mute that ran out reads as not muted (the snapshot changes at that moment) with no fetch.
   */
  muted: boolean;
  /** When the mute ends (epoch ms); null when muted for good, or not muted. */
  mutedUntil: number | null;
  /** In a direct conversation, the other person's id (for `presence`); else null. */
  otherUserId: string | null;
  lastMessage: {
    text: string;
    authorName: string;
    createdAt: number;
    deleted: boolean;
    /** Its photos and files (name, and whether it is an inline image), for a line like "📷 Photo". */
    attachments: Pick<ChatAttachment, 'name' | 'inline'>[];
  } | null;
  /** Epoch ms of the last message or change; the list is sorted by it, newest first. */
  updatedAt: number;
};

/** A conversation's messages as held on the device, oldest first. */
export type ConversationView = {
  messages: ChatMessage[];
  /** Older history exists that is not on the device (or not loaded yet). */
  hasOlder: boolean;
  loadingOlder: boolean;
  /**
   * Set while the app is still opening the device's data after a launch: the view is the
   * preview (launch/preview.ts), the newest rows shown at the last run. They are replaced by
   * the real view shortly (same ids; what changed meanwhile is corrected then), and writes
   * are not possible until then (they throw ClientError UNAVAILABLE).
   */
  preview?: true;
};

export type Member = { user: User; role: MemberRole; joinedAt: number };

export type Device = {
  id: string;
  name: string;
  platform: string;
  isCurrent: boolean;
  createdAt: number;
  lastSeenAt: number;
  lastSyncAt: number | null;
};

export type PairingCode = { code: string; expiresAt: number };

/**
 * Web Push notifications on this device. `supported`: the browser can show them (a service
 * worker with the Push API and Notifications; on iOS only once installed to the home screen).
 * `permission`: the browser's answer ('denied' means blocked: only the browser's site settings
 * can allow it again). `enabled`: this device is subscribed and the server sends to it.
 * `promptDismissed`: the person closed the conversation list's "Get notified" prompt here.
 */
export type NotificationsState = {
  supported: boolean;
  permission: 'default' | 'granted' | 'denied';
  enabled: boolean;
  promptDismissed: boolean;
};

/** The account's settings (all its devices share them). */
export type AccountSettings = {
  /** Notifications carry the sender and the text; false: only "New message" (the push service and lock screen see it). */
  showMessageText: boolean;
  /** Others see when you are online and last seen; false hides it, and you then see nobody's. */
  sharePresence: boolean;
};

/** The codes the client makes itself; the API never sends them. */
export const ClientOnlyErrorCode = {
  /** No usable answer (offline, DNS, a 5xx, a masked INTERNAL_SERVER_ERROR): try again when back online. */
  NETWORK: 'NETWORK',
  /** A failure with no code the client knows (none, or one outside the API's ErrorCode). */
  UNKNOWN: 'UNKNOWN',
  /** The device's data is still opening after launch (ConversationView.preview): try again in a moment. */
  UNAVAILABLE: 'UNAVAILABLE',
  /** A token refresh answered for another account than the device holds: signed out for good, for safety. */
  ACCOUNT_MISMATCH: 'ACCOUNT_MISMATCH',
  /** A pushed write was refused with no error attached. */
  REFUSED: 'REFUSED',
} as const;

/** Every code a ClientError or a failed write carries: the API's ErrorCode (from @mailboat/schema), or one of the client's own. */
export type ClientErrorCode = ErrorCode | (typeof ClientOnlyErrorCode)[keyof typeof ClientOnlyErrorCode];

/** A refusal or failure the screens show as text; `code` is the API's error code when there is one. */
export class ClientError extends Error {
  constructor(
    readonly code: ClientErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'ClientError';
  }
}

export interface MailboatClient {
  // Snapshots and change notification.
  subscribe(listener: () => void): () => void;
  session(): Session | null;
  syncState(): SyncState;
  conversations(): ConversationSummary[];
  /** Starts loading the conversation's newest history if it is not on the device yet. */
  conversation(conversationId: string): ConversationView;
  /**
   * The others typing in the conversation now (never the viewer), in the order they started;
   * each is dropped when they stop or their typing expires. Ephemeral: not kept on the device.
   */
  typing(conversationId: string): User[];
  /** What the device last heard of the person's presence; null when hidden or not known (see refreshPresence). */
  presence(userId: string): Presence | null;

  // Signing in; each resolves once the session is stored on the device. Errors are ClientError.
  signUp(input: { handle: string; displayName: string; password: string }): Promise<void>;
  signIn(input: { handle: string; password: string }): Promise<void>;
  redeemPairingCode(code: string): Promise<void>;
  /** Signs out and wipes this account's data from the device. */
  signOut(): Promise<void>;

  // Local-first writes: applied to the device at once (synchronously, before returning),
  // then pushed; they never throw for lack of network. Return the message id. Text is
  // trimmed and judged by the text rules (schema/src/text.ts): refused text throws
  // ClientError BAD_USER_INPUT saying why, and nothing is written.
  send(conversationId: string, text: string, replyTo?: string): string;
  /**
   * Sends photos and files with an optional caption (text may be empty), the same way: the
   * message shows at once with its local preview; the bytes wait on the device and upload
   * before the message is pushed (also from the service worker with the app closed). Throws
   * ClientError before writing anything: BAD_USER_INPUT (no files, too many, a bad name) or
   * ATTACHMENT_TOO_LARGE (over attachmentLimits()).
   */
  sendFiles(conversationId: string, files: readonly File[], caption: string, replyTo?: string): Promise<string>;
  /** Cancels an own message whose attachments have not all uploaded: its bytes and the message are dropped. */
  cancelUpload(messageId: string): void;
  /**
   * Replaces the whole text of one's own message with a new version (the history keeps every
   * version; of edits made at once elsewhere, the later wins everywhere). The same text
   * changes nothing.
   */
  edit(messageId: string, text: string): void;
  remove(messageId: string): void;
  /** Sets (or with null removes) the viewer's one reaction. */
  react(messageId: string, emoji: string | null): void;
  /** Writes a failed message again as a new message (same text); drops the failed one. */
  retry(messageId: string): void;
  /** Forgets a failed write. */
  dismiss(messageId: string): void;

  /** Loads the previous segment of history; resolves when it is on the device (or there is none). */
  loadOlder(conversationId: string): Promise<void>;
  /** The viewer has seen the conversation up to its newest message (sent as markRead when online). */
  markRead(conversationId: string): void;
  /** Sync now (the app calls it on launch, reconnect and return to the foreground). */
  syncNow(): Promise<void>;
  /**
   * The composer's text changed: `true` while the viewer types (call on every change with text
   * in the box), `false` when it was sent, cleared, or the conversation left. The others see
   * "… is typing" (sent at most every few seconds, stopped by itself after a few idle seconds);
   * offline nothing is sent or queued. Never throws.
   */
  reportTyping(conversationId: string, typing: boolean): void;

  // Online-only operations; they reject with ClientError (code NETWORK when offline).
  findUser(handle: string): Promise<User | null>;
  openDirect(userId: string): Promise<string>;
  createGroup(title: string, memberIds: string[]): Promise<string>;
  members(conversationId: string): Promise<Member[]>;
  addMembers(conversationId: string, userIds: string[]): Promise<void>;
  removeMember(conversationId: string, userId: string): Promise<void>;
  setRole(conversationId: string, userId: string, role: MemberRole): Promise<void>;
  rename(conversationId: string, title: string): Promise<void>;
  leave(conversationId: string): Promise<void>;
  devices(): Promise<Device[]>;
  revokeDevice(deviceId: string): Promise<void>;
  createPairingCode(): Promise<PairingCode>;
  updateProfile(displayName: string): Promise<void>;

  // Notifications and settings.
  notifications(): NotificationsState;
  /**
   * Turns notifications on for this device: asks the browser's permission (call it only from
   * a user gesture, never on load), subscribes and registers the subscription with the API.
   * Resolves without enabling when the person did not allow it (see `notifications().permission`);
   * rejects with ClientError (NETWORK when offline).
   */
  enableNotifications(): Promise<void>;
  /** Turns them off for this device: removes the subscription from the API and the browser. */
  disableNotifications(): Promise<void>;
  /** Hides the conversation list's "Get notified" prompt on this device. */
  dismissNotificationPrompt(): void;
  /** The account's settings as last read (also offline), or null before the first read. */
  settings(): AccountSettings | null;
  /** Changes some settings for every device of the account (online only). */
  updateSettings(input: Partial<AccountSettings>): Promise<void>;
  /** Silences the conversation's notifications on all the viewer's devices, for `duration` (replacing an earlier mute). */
  mute(conversationId: string, duration: MuteDuration): Promise<void>;
  unmute(conversationId: string): Promise<void>;
  /** Fetches the people's presence now (a conversation opened); live events keep it current afterwards. */
  refreshPresence(userIds: string[]): Promise<void>;

  // Attachments.
  /** The server's limits as last read (defaults before that, and offline). */
  attachmentLimits(): AttachmentLimits;
  /**
   * An object URL of an attachment's bytes: from this device's cache, else fetched (and
   * cached, within attachmentCacheLimit). 'thumbnail' is the small image shown inline (an own
   * upload not yet sent shows its local file). Rejects with ClientError (NETWORK offline when
   * not cached, NOT_FOUND when gone). Valid until releaseAttachmentUrl. Only inline image
   * types keep their type; any other file's URL is application/octet-stream (never rendered).
   */
  attachmentUrl(attachmentId: string, variant: AttachmentVariant): Promise<string>;
  releaseAttachmentUrl(url: string): void;
  /** The most this device keeps of attachments it has viewed, in bytes (least recently used go first). */
  attachmentCacheLimit(): number;
  setAttachmentCacheLimit(bytes: number): void;
}

import type { ColumnType, Generated, Insertable, Selectable, Updateable } from 'kysely';

/** A timestamptz column: read as Date, written as Date or left to its default. */
type Timestamp = ColumnType<Date, Date | undefined, Date>;

export interface UsersTable {
  id: string;
  handle: string;
  display_name: string;
  password_hash: string;
  created_at: Timestamp;
  /** Notifications carry the sender and the text (else only "New message"). */
  show_message_text: ColumnType<boolean, boolean | undefined, boolean>;
  /** Others see when this user is online and was last seen; off also hides theirs from this user. */
  share_presence: ColumnType<boolean, boolean | undefined, boolean>;
}

export interface DevicesTable {
  id: string;
  user_id: string;
  name: string;
  platform: string;
  app_version: string;
  created_at: Timestamp;
  last_seen_at: Timestamp;
  last_sync_at: ColumnType<Date | null, Date | null | undefined, Date | null>;
  /** The end of this device's session, whatever its refresh activity (absolute lifetime). */
  session_expires_at: ColumnType<Date, Date, Date>;
  revoked_at: ColumnType<Date | null, Date | null | undefined, Date | null>;
  revoke_reason: string | null;
}

/** One row per refresh token ever issued; a device's rows form its rotation family. */
export interface RefreshTokensTable {
  id: string;
  device_id: string;
  token_hash: string;
  created_at: Timestamp;
  /** Idle expiry: a token unused for this long is dead. */
  expires_at: ColumnType<Date, Date, Date>;
  used_at: ColumnType<Date | null, Date | null | undefined, Date | null>;
  /** The token this one was rotated into (set with used_at). */
  replaced_by: ColumnType<string | null, string | null | undefined, string | null>;
}

export interface PairingCodesTable {
  code_hash: string;
  user_id: string;
  created_by_device_id: string;
  created_at: Timestamp;
  expires_at: ColumnType<Date, Date, Date>;
  redeemed_at: ColumnType<Date | null, Date | null | undefined, Date | null>;
  redeemed_device_id: string | null;
}

export type ConversationKind = 'direct' | 'group';
export type MemberRole = 'owner' | 'admin' | 'member';

export interface ConversationsTable {
  id: string;
  kind: ConversationKind;
  title: string | null;
  /** For direct conversations: the two user ids sorted and joined, unique. */
  direct_key: string | null;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface ConversationMembersTable {
  conversation_id: string;
  user_id: string;
  role: MemberRole;
  joined_at: Timestamp;
}

export interface SegmentsTable {
  conversation_id: string;
  segment: number;
  last_seq: ColumnType<number, number | undefined, number>;
  snapshot: Uint8Array | null;
  snapshot_seq: ColumnType<number, number | undefined, number>;
  updated_at: Timestamp;
}

export interface SegmentUpdatesTable {
  conversation_id: string;
  segment: number;
  seq: number;
  update: Uint8Array;
  device_id: string;
  created_at: Timestamp;
}

export interface SegmentClientsTable {
  conversation_id: string;
  segment: number;
  client_id: number;
  device_id: string;
}

/**
 * One version of a message's text in the projection: its version id in the document ("" for a
 * text of contract v1), when it was written (ms, hybrid clock) and the device that wrote it
 * (null when unknown: versions filled in by the migration that added them).
 */
export type StoredVersion = { id: string; text: string; at: number; deviceId: string | null };

/** The relational projection of the CRDT messages, for listing, feeds and plain clients. */
export interface MessagesTable {
  id: string;
  conversation_id: string;
  segment: number;
  author_id: string;
  created_at: number;
  text: string;
  reply_to: string | null;
  edited_at: number | null;
  deleted: boolean;
  reactions: ColumnType<Record<string, string>, string, string>;
  /** Every version of the text, oldest first (the last is `text`); empty when deleted. Written as JSON. */
  versions: ColumnType<StoredVersion[], string | undefined, string>;
  created_txid: ColumnType<string, never, never>;
  txid: ColumnType<string, never, string>;
  changed_at: Timestamp;
}

/** Per member: the newest message (createdAt, id) a device of theirs has received, and read. */
export interface ReceiptsTable {
  conversation_id: string;
  user_id: string;
  delivered_at: ColumnType<number, number | undefined, number>;
  delivered_id: string | null;
  read_at: ColumnType<number, number | undefined, number>;
  read_id: string | null;
}

/** A device's presence: online while online_until is in the future (kept there by the node holding its events stream). */
export interface DevicePresenceTable {
  device_id: string;
  user_id: string;
  online_until: ColumnType<Date, Date, Date>;
}

/** The presence state last announced for a user (each transition is published by the node that flips this row). */
export interface UserPresenceTable {
  user_id: string;
  online: boolean;
  changed_at: Timestamp;
}

/** A device's Web Push subscription (at most one): what its browser's PushSubscription.toJSON() gave. */
export interface PushSubscriptionsTable {
  device_id: string;
  user_id: string;
  endpoint: string;
  /** The user agent's public key, an uncompressed P-256 point, base64url. */
  p256dh: string;
  /** The 16-byte auth secret, base64url. */
  auth: string;
  created_at: Timestamp;
  last_success_at: ColumnType<Date | null, Date | null | undefined, Date | null>;
}

/** A member's mute of a conversation: no notifications until `until` (null: always). */
export interface ConversationMutesTable {
  conversation_id: string;
  user_id: string;
  until: ColumnType<Date | null, Date | null | undefined, Date | null>;
}

/**
 * The notification queue: one row per (device, conversation). `pending` counts the new messages
 * not notified yet (0: nothing to send, the row only remembers `last_sent_at`); the row is due at
 * `due_at` and leased to a sender until `locked_until`.
 */
export interface NotificationJobsTable {
  device_id: string;
  conversation_id: string;
  user_id: string;
  pending: ColumnType<number, number | undefined, number>;
  newest_message_id: string | null;
  newest_created_at: ColumnType<number, number | undefined, number>;
  due_at: Timestamp;
  last_sent_at: ColumnType<Date | null, Date | null | undefined, Date | null>;
  attempts: ColumnType<number, number | undefined, number>;
  locked_until: ColumnType<Date | null, Date | null | undefined, Date | null>;
}

/**
 * A photo or file (migrations/2026-12-09T0000-attachments.ts): started, then completed
 * (content_type set), then linked to the message naming it, then deleted with that message.
 */
export interface AttachmentsTable {
  id: string;
  conversation_id: string;
  uploader_id: string;
  name: string;
  /** Bytes as uploaded (what the message's ref says). */
  size: number;
  /** The store's multipart upload, while uploading. */
  upload_id: string | null;
  /** Sniffed from the bytes once complete. */
  content_type: string | null;
  width: number | null;
  height: number | null;
  /** Bytes of the original as stored (after stripping metadata) and of its thumbnail (null: none). */
  stored_bytes: number | null;
  thumbnail_bytes: number | null;
  message_id: string | null;
  position: number | null;
  /** The placeholder the message's ref carries (set when linked). */
  thumbhash: string | null;
  created_at: Timestamp;
  completed_at: ColumnType<Date | null, Date | null | undefined, Date | null>;
  deleted_at: ColumnType<Date | null, Date | null | undefined, Date | null>;
}

export interface Database {
  users: UsersTable;
  devices: DevicesTable;
  refresh_tokens: RefreshTokensTable;
  pairing_codes: PairingCodesTable;
  conversations: ConversationsTable;
  conversation_members: ConversationMembersTable;
  segments: SegmentsTable;
  segment_updates: SegmentUpdatesTable;
  segment_clients: SegmentClientsTable;
  messages: MessagesTable;
  receipts: ReceiptsTable;
  device_presence: DevicePresenceTable;
  user_presence: UserPresenceTable;
  push_subscriptions: PushSubscriptionsTable;
  conversation_mutes: ConversationMutesTable;
  notification_jobs: NotificationJobsTable;
  attachments: AttachmentsTable;
}

export type UserRow = Selectable<UsersTable>;
export type NewUser = Insertable<UsersTable>;
export type DeviceRow = Selectable<DevicesTable>;
export type NewDevice = Insertable<DevicesTable>;
export type DeviceUpdate = Updateable<DevicesTable>;
export type RefreshTokenRow = Selectable<RefreshTokensTable>;
export type PairingCodeRow = Selectable<PairingCodesTable>;
export type ConversationRow = Selectable<ConversationsTable>;
export type MemberRow = Selectable<ConversationMembersTable>;
export type SegmentRow = Selectable<SegmentsTable>;
export type MessageRow = Selectable<MessagesTable>;
export type ReceiptRow = Selectable<ReceiptsTable>;
export type PushSubscriptionRow = Selectable<PushSubscriptionsTable>;
export type ConversationMuteRow = Selectable<ConversationMutesTable>;

/** Generated is re-exported for migrations-free table typing elsewhere. */
export type { Generated };
export type AttachmentRow = Selectable<AttachmentsTable>;

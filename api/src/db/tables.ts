import type { ColumnType, Generated, Insertable, Selectable, Updateable } from 'kysely';

/** A timestamptz column: read as Date, written as Date or left to its default. */
type Timestamp = ColumnType<Date, Date | undefined, Date>;

export interface UsersTable {
  id: string;
  handle: string;
  display_name: string;
  password_hash: string;
  created_at: Timestamp;
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

export interface Database {
  users: UsersTable;
  devices: DevicesTable;
  refresh_tokens: RefreshTokensTable;
  pairing_codes: PairingCodesTable;
  conversations: ConversationsTable;
  conversation_members: ConversationMembersTable;
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

/** Generated is re-exported for migrations-free table typing elsewhere. */
export type { Generated };

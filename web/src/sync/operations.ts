import { graphql } from '@mailboat/schema/graphql';

/**
 * The GraphQL documents the sync core sends, typed from schema/schema.graphql: results and
 * variables are inferred (ResultOf / VariablesOf), so a schema change that breaks one is a
 * compile error at the call site. Fragments are the selections several documents share.
 */

export const USER = graphql(`fragment UserFields on User { id handle displayName }`);

/** A sign-in answer (signUp, signIn, redeemPairingCode). */
export const SESSION = graphql(
  `fragment SessionFields on AuthPayload {
    accessToken accessTokenExpiresAt refreshToken refreshTokenExpiresAt user { ...UserFields } device { id }
  }`,
  [USER],
);

/** Everything a conversation summary, its direct title, its mute and its members' ticks need (receipts list every current member). */
export const CONVERSATION = graphql(
  `fragment ConversationFields on Conversation {
    id kind title memberCount viewerRole unreadCount updatedAt muted { until }
    receipts { user { ...UserFields } deliveredUpTo deliveredAt readUpTo readAt }
  }`,
  [USER],
);

export const SIGN_UP = graphql(`mutation SignUp($input: SignUpInput!) { signUp(input: $input) { ...SessionFields } }`, [SESSION]);
export const SIGN_IN = graphql(`mutation SignIn($input: SignInInput!) { signIn(input: $input) { ...SessionFields } }`, [SESSION]);
export const REDEEM = graphql(
  `mutation Redeem($input: RedeemPairingCodeInput!) { redeemPairingCode(input: $input) { ...SessionFields } }`,
  [SESSION],
);
export const SIGN_OUT = graphql('mutation SignOut { signOut { revokedDevices } }');
/** Who the access token belongs to (restoring a session from the refresh cookie). */
export const VIEWER = graphql('query Viewer { viewer { user { ...UserFields } device { id } } }', [USER]);

export const CONVERSATIONS = graphql(
  `query Conversations($after: String) {
    viewer { conversations(first: 20, after: $after) { edges { node { ...ConversationFields } } pageInfo { hasNextPage endCursor } } }
  }`,
  [CONVERSATION],
);

export const CHANGES_HEAD = graphql('query ChangesHead { changesHead }');
export const CHANGES = graphql(`query Changes($after: String) {
  changes(after: $after, first: 100) { edges { node { conversationId segment } } pageInfo { hasNextPage endCursor } }
}`);
export const SEGMENTS = graphql(`query Segments($id: ID!, $first: Int!, $after: String) {
  conversation(id: $id) { segments(first: $first, after: $after) { edges { cursor node { number messageCount } } pageInfo { hasNextPage } } }
}`);
export const SEGMENT_DIFFS = graphql(`query SegmentDiffs($segments: [SegmentStateInput!]!) {
  segmentDiffs(segments: $segments) { conversationId segment update }
}`);
export const PUSH_UPDATES = graphql(`mutation Push($updates: [SegmentUpdateInput!]!) {
  pushUpdates(updates: $updates) { results { conversationId segment status error { code message stateVector } } }
}`);
export const MARK_DELIVERED = graphql(
  'mutation MarkDelivered($c: ID!, $m: ID!) { markDelivered(conversationId: $c, upTo: $m) { changed } }',
);
export const MARK_READ = graphql('mutation MarkRead($c: ID!, $m: ID!) { markRead(conversationId: $c, upTo: $m) { changed } }');

export const EVENTS = graphql(
  `subscription Events { events {
    __typename
    ... on SegmentUpdatedEvent { conversationId segment update }
    ... on ReceiptEvent { conversationId user { ...UserFields } deliveredUpTo deliveredAt readUpTo readAt }
    ... on ConversationAddedEvent { conversation { ...ConversationFields } }
    ... on ConversationUpdatedEvent { conversation { ...ConversationFields } }
    ... on ConversationRemovedEvent { conversationId reason }
    ... on DeviceRevokedEvent { deviceId }
    ... on TypingEvent { conversationId user { ...UserFields } typing expiresAt }
    ... on PresenceEvent { person: user { id } presence { online lastSeenAt } }
  } }`,
  [USER, CONVERSATION],
);

export const USER_BY_HANDLE = graphql('query UserByHandle($handle: String!) { userByHandle(handle: $handle) { ...UserFields } }', [USER]);
export const USERS = graphql('query Users($ids: [ID!]!) { nodes(ids: $ids) { ... on User { ...UserFields } } }', [USER]);
export const OPEN_DIRECT = graphql('mutation OpenDirect($u: ID!) { openDirectConversation(userId: $u) { ...ConversationFields } }', [
  CONVERSATION,
]);
export const CREATE_GROUP = graphql(
  'mutation CreateGroup($input: CreateGroupConversationInput!) { createGroupConversation(input: $input) { ...ConversationFields } }',
  [CONVERSATION],
);
export const MEMBERS = graphql(
  `query Members($id: ID!, $after: String) { conversation(id: $id) {
    members(first: 100, after: $after) { edges { role joinedAt node { ...UserFields } } pageInfo { hasNextPage endCursor } }
  } }`,
  [USER],
);
export const ADD_MEMBERS = graphql(
  'mutation AddMembers($c: ID!, $u: [ID!]!) { addConversationMembers(conversationId: $c, userIds: $u) { ...ConversationFields } }',
  [CONVERSATION],
);
export const REMOVE_MEMBER = graphql(
  'mutation RemoveMember($c: ID!, $u: ID!) { removeConversationMember(conversationId: $c, userId: $u) { ...ConversationFields } }',
  [CONVERSATION],
);
export const SET_ROLE = graphql(
  `mutation SetRole($c: ID!, $u: ID!, $r: MemberRole!) {
    setConversationMemberRole(conversationId: $c, userId: $u, role: $r) { ...ConversationFields }
  }`,
  [CONVERSATION],
);
export const RENAME = graphql(
  'mutation Rename($c: ID!, $t: String!) { renameConversation(conversationId: $c, title: $t) { ...ConversationFields } }',
  [CONVERSATION],
);
export const LEAVE = graphql('mutation Leave($c: ID!) { leaveConversation(conversationId: $c) { conversationId } }');
export const DEVICES = graphql(`query Devices { viewer { devices(first: 100) { edges { node {
  id name platform isCurrent createdAt lastSeenAt lastSyncAt
} } } } }`);
export const REVOKE_DEVICE = graphql('mutation Revoke($id: ID!) { revokeDevice(id: $id) { id } }');
export const CREATE_PAIRING_CODE = graphql('mutation Pair { createPairingCode { code expiresAt } }');
export const MUTE = graphql(
  'mutation Mute($c: ID!, $d: MuteDuration!) { muteConversation(conversationId: $c, duration: $d) { ...ConversationFields } }',
  [CONVERSATION],
);
export const UNMUTE = graphql('mutation Unmute($c: ID!) { unmuteConversation(conversationId: $c) { ...ConversationFields } }', [
  CONVERSATION,
]);
/** Ephemeral: never queued in the outbox (a typing state is stale by the time the network is back). */
export const SET_TYPING = graphql('mutation SetTyping($c: ID!, $t: Boolean!) { setTyping(conversationId: $c, typing: $t) }');
export const PRESENCE = graphql('query Presence($ids: [ID!]!) { nodes(ids: $ids) { ... on User { id presence { online lastSeenAt } } } }');
export const UPDATE_PROFILE = graphql('mutation Profile($n: String!) { updateProfile(displayName: $n) { ...UserFields } }', [USER]);

/** Notifications and settings (push-subscription.ts, settings.ts): the device's push state, the key to subscribe with, the settings. */
export const PUSH_STATE = graphql(`query PushState {
  webPushPublicKey viewer { device { id notificationsEnabled } settings { showMessageText sharePresence } }
}`);
export const REGISTER_PUSH = graphql(`mutation RegisterPush($input: PushSubscriptionInput!) {
  registerPushSubscription(input: $input) { id notificationsEnabled }
}`);
export const REMOVE_PUSH = graphql('mutation RemovePush { removePushSubscription { id notificationsEnabled } }');
export const UPDATE_SETTINGS = graphql(`mutation UpdateSettings($input: UpdateSettingsInput!) {
  updateSettings(input: $input) { showMessageText sharePresence }
}`);

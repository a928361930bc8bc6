/** The GraphQL documents the sync core sends (see schema/schema.graphql). */

const USER = 'id handle displayName';
const SESSION = `accessToken accessTokenExpiresAt refreshToken refreshTokenExpiresAt user { ${USER} } device { id }`;

/** Everything a conversation summary, its direct title and its members' ticks need (receipts list every current member). */
export const CONVERSATION = `id kind title memberCount viewerRole unreadCount updatedAt
  receipts { user { ${USER} } deliveredUpTo deliveredAt readUpTo readAt }`;

export const SIGN_UP = `mutation SignUp($input: SignUpInput!) { signUp(input: $input) { ${SESSION} } }`;
export const SIGN_IN = `mutation SignIn($input: SignInInput!) { signIn(input: $input) { ${SESSION} } }`;
export const REDEEM = `mutation Redeem($input: RedeemPairingCodeInput!) { redeemPairingCode(input: $input) { ${SESSION} } }`;
export const SIGN_OUT = 'mutation SignOut { signOut { revokedDevices } }';
/** Who the access token belongs to (restoring a session from the refresh cookie). */
export const VIEWER = `query Viewer { viewer { user { ${USER} } device { id } } }`;

export const CONVERSATIONS = `query Conversations($after: String) {
  viewer { conversations(first: 20, after: $after) { edges { node { ${CONVERSATION} } } pageInfo { hasNextPage endCursor } } }
}`;
export const CONVERSATION_BY_ID = `query Conversation($id: ID!) { conversation(id: $id) { ${CONVERSATION} } }`;

export const CHANGES_HEAD = 'query ChangesHead { changesHead }';
export const CHANGES = `query Changes($after: String) {
  changes(after: $after, first: 100) { edges { node { conversationId segment } } pageInfo { hasNextPage endCursor } }
}`;
export const SEGMENTS = `query Segments($id: ID!, $first: Int!, $after: String) {
  conversation(id: $id) { segments(first: $first, after: $after) { edges { cursor node { number messageCount } } pageInfo { hasNextPage } } }
}`;
export const SEGMENT_DIFFS = `query SegmentDiffs($segments: [SegmentStateInput!]!) {
  segmentDiffs(segments: $segments) { conversationId segment update }
}`;
export const PUSH_UPDATES = `mutation Push($updates: [SegmentUpdateInput!]!) {
  pushUpdates(updates: $updates) { results { conversationId segment status error { code message stateVector } } }
}`;
export const MARK_DELIVERED = `mutation MarkDelivered($c: ID!, $m: ID!) { markDelivered(conversationId: $c, upTo: $m) { changed } }`;
export const MARK_READ = `mutation MarkRead($c: ID!, $m: ID!) { markRead(conversationId: $c, upTo: $m) { changed } }`;

export const EVENTS = `subscription Events { events {
  __typename
  ... on SegmentUpdatedEvent { conversationId segment update }
  ... on ReceiptEvent { conversationId user { ${USER} } deliveredUpTo deliveredAt readUpTo readAt }
  ... on ConversationAddedEvent { conversation { ${CONVERSATION} } }
  ... on ConversationUpdatedEvent { conversation { ${CONVERSATION} } }
  ... on ConversationRemovedEvent { conversationId reason }
  ... on DeviceRevokedEvent { deviceId }
} }`;

export const USER_BY_HANDLE = `query UserByHandle($handle: String!) { userByHandle(handle: $handle) { ${USER} } }`;
export const USERS = `query Users($ids: [ID!]!) { nodes(ids: $ids) { ... on User { ${USER} } } }`;
export const OPEN_DIRECT = `mutation OpenDirect($u: ID!) { openDirectConversation(userId: $u) { ${CONVERSATION} } }`;
export const CREATE_GROUP = `mutation CreateGroup($input: CreateGroupConversationInput!) { createGroupConversation(input: $input) { ${CONVERSATION} } }`;
export const MEMBERS = `query Members($id: ID!, $after: String) { conversation(id: $id) {
  members(first: 100, after: $after) { edges { role joinedAt node { ${USER} } } pageInfo { hasNextPage endCursor } }
} }`;
export const ADD_MEMBERS = `mutation AddMembers($c: ID!, $u: [ID!]!) { addConversationMembers(conversationId: $c, userIds: $u) { ${CONVERSATION} } }`;
export const REMOVE_MEMBER = `mutation RemoveMember($c: ID!, $u: ID!) { removeConversationMember(conversationId: $c, userId: $u) { ${CONVERSATION} } }`;
export const SET_ROLE = `mutation SetRole($c: ID!, $u: ID!, $r: MemberRole!) { setConversationMemberRole(conversationId: $c, userId: $u, role: $r) { ${CONVERSATION} } }`;
export const RENAME = `mutation Rename($c: ID!, $t: String!) { renameConversation(conversationId: $c, title: $t) { ${CONVERSATION} } }`;
export const LEAVE = 'mutation Leave($c: ID!) { leaveConversation(conversationId: $c) { conversationId } }';
export const DEVICES = `query Devices { viewer { devices(first: 100) { edges { node {
  id name platform isCurrent createdAt lastSeenAt lastSyncAt
} } } } }`;
export const REVOKE_DEVICE = 'mutation Revoke($id: ID!) { revokeDevice(id: $id) { id } }';
export const CREATE_PAIRING_CODE = 'mutation Pair { createPairingCode { code expiresAt } }';
export const UPDATE_PROFILE = `mutation Profile($n: String!) { updateProfile(displayName: $n) { ${USER} } }`;

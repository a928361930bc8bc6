import type { ResultOf } from 'gql.tada';
import type { Device, Member, MemberRole, MuteDuration, PairingCode, Presence, User } from '../app/model.js';
import type { Account } from './account.js';
import type { Api } from './api.js';
import { absorbConversation, type ConversationNode } from './conversation-records.js';
import * as Q from './operations.js';
import { presenceFromApi } from './presence-state.js';

/**
 * Online-only operations: plain GraphQL. They reject with ClientError (NETWORK when the
 * server cannot be reached, else the API's code) and store what they learn on the device.
 */
export class OnlineOps {
  constructor(
    private readonly api: Api,
    private readonly account: () => Account,
    /** Starts loading a conversation the viewer just joined or opened. */
    private readonly joined: (conversationId: string) => void,
  ) {}

  async findUser(handle: string): Promise<User | null> {
    const data = await this.api.query(Q.USER_BY_HANDLE, { handle });
    return data.userByHandle;
  }

  async openDirect(userId: string): Promise<string> {
    const data = await this.api.mutation(Q.OPEN_DIRECT, { u: userId });
    return this.absorb(data.openDirectConversation);
  }

  async createGroup(title: string, memberIds: string[]): Promise<string> {
    const data = await this.api.mutation(Q.CREATE_GROUP, { input: { title, memberIds } });
    return this.absorb(data.createGroupConversation);
  }

  async members(conversationId: string): Promise<Member[]> {
    const out: Member[] = [];
    let after: string | null = null;
    for (;;) {
      const data: ResultOf<typeof Q.MEMBERS> = await this.api.query(Q.MEMBERS, { id: conversationId, after });
      if (!data.conversation) return out;
      const { edges, pageInfo } = data.conversation.members;
      out.push(...edges.map((e) => ({ user: e.node, role: e.role, joinedAt: Date.parse(e.joinedAt) })));
      if (!pageInfo.hasNextPage || !pageInfo.endCursor) break;
      after = pageInfo.endCursor;
    }
    await this.account().putUsers(out.map((m) => m.user));
    return out;
  }

  async addMembers(conversationId: string, userIds: string[]): Promise<void> {
    const data = await this.api.mutation(Q.ADD_MEMBERS, { c: conversationId, u: userIds });
    await absorbConversation(this.account(), data.addConversationMembers);
  }

  async removeMember(conversationId: string, userId: string): Promise<void> {
    const data = await this.api.mutation(Q.REMOVE_MEMBER, { c: conversationId, u: userId });
    await absorbConversation(this.account(), data.removeConversationMember);
  }

  async setRole(conversationId: string, userId: string, role: MemberRole): Promise<void> {
    const data = await this.api.mutation(Q.SET_ROLE, { c: conversationId, u: userId, r: role });
    await absorbConversation(this.account(), data.setConversationMemberRole);
  }

  async rename(conversationId: string, title: string): Promise<void> {
    const data = await this.api.mutation(Q.RENAME, { c: conversationId, t: title });
    await absorbConversation(this.account(), data.renameConversation);
  }

  async leave(conversationId: string): Promise<void> {
    await this.api.mutation(Q.LEAVE, { c: conversationId });
    await this.account().dropConversation(conversationId);
  }

  async devices(): Promise<Device[]> {
    const { viewer } = await this.api.query(Q.DEVICES);
    if (!viewer) throw new Error('Mailboat named no viewer for a signed-in request');
    return viewer.devices.edges.map(({ node }) => ({
      ...node,
      createdAt: Date.parse(node.createdAt),
      lastSeenAt: Date.parse(node.lastSeenAt),
      lastSyncAt: node.lastSyncAt === null ? null : Date.parse(node.lastSyncAt),
    }));
  }

  async revokeDevice(deviceId: string): Promise<void> {
    await this.api.mutation(Q.REVOKE_DEVICE, { id: deviceId });
  }

  async createPairingCode(): Promise<PairingCode> {
    const data = await this.api.mutation(Q.CREATE_PAIRING_CODE);
    return { code: data.createPairingCode.code, expiresAt: Date.parse(data.createPairingCode.expiresAt) };
  }

  async updateProfile(displayName: string): Promise<User> {
    const data = await this.api.mutation(Q.UPDATE_PROFILE, { n: displayName });
    await this.account().putUsers([data.updateProfile]);
    return data.updateProfile;
  }

  async mute(conversationId: string, duration: MuteDuration): Promise<void> {
    const data = await this.api.mutation(Q.MUTE, { c: conversationId, d: duration });
    await absorbConversation(this.account(), data.muteConversation);
  }

  async unmute(conversationId: string): Promise<void> {
    const data = await this.api.mutation(Q.UNMUTE, { c: conversationId });
    await absorbConversation(this.account(), data.unmuteConversation);
  }

  /** The people's presence by id (null: hidden); ids the API does not answer for are left out. */
  async presence(userIds: string[]): Promise<Map<string, Presence | null>> {
    const out = new Map<string, Presence | null>();
    if (userIds.length === 0) return out;
    const data = await this.api.query(Q.PRESENCE, { ids: userIds });
    for (const node of data.nodes) if (node && 'id' in node) out.set(node.id, presenceFromApi(node.presence));
    return out;
  }

  private async absorb(node: ConversationNode): Promise<string> {
    const record = await absorbConversation(this.account(), node);
    if (!record.loaded) this.joined(record.id);
    return record.id;
  }
}

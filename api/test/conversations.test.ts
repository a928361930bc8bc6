import { describe, expect, it } from 'vitest';
import { backends, type GqlResult, type Session, type SseReader, type TestClient, useTestApp } from './harness.js';

const CONVERSATION_FIELDS = 'id kind title memberCount viewerRole createdAt updatedAt';
const MEMBER_EDGES = 'edges { cursor role joinedAt node { id } } pageInfo { hasNextPage hasPreviousPage startCursor endCursor }';

const OPEN_DIRECT = `mutation($userId: ID!) { openDirectConversation(userId: $userId) { ${CONVERSATION_FIELDS} } }`;
const CREATE_GROUP = `mutation($input: CreateGroupConversationInput!) { createGroupConversation(input: $input) { ${CONVERSATION_FIELDS} } }`;
const RENAME = `mutation($id: ID!, $title: String!) { renameConversation(conversationId: $id, title: $title) { ${CONVERSATION_FIELDS} } }`;
const ADD = `mutation($id: ID!, $userIds: [ID!]!) { addConversationMembers(conversationId: $id, userIds: $userIds) { ${CONVERSATION_FIELDS} } }`;
const REMOVE = `mutation($id: ID!, $userId: ID!) { removeConversationMember(conversationId: $id, userId: $userId) { ${CONVERSATION_FIELDS} } }`;
const SET_ROLE = `mutation($id: ID!, $userId: ID!, $role: MemberRole!) {
  setConversationMemberRole(conversationId: $id, userId: $userId, role: $role) { ${CONVERSATION_FIELDS} }
}`;
const LEAVE = 'mutation($id: ID!) { leaveConversation(conversationId: $id) { conversationId } }';
const CONVERSATION = `query($id: ID!) { conversation(id: $id) { ${CONVERSATION_FIELDS} members(first: 100) { ${MEMBER_EDGES} } } }`;
const NODE = 'query($id: ID!) { node(id: $id) { id ... on Conversation { title } } }';
const MEMBERS_PAGE = `query($id: ID!, $first: Int, $after: String, $last: Int, $before: String) {
  conversation(id: $id) { members(first: $first, after: $after, last: $last, before: $before) { ${MEMBER_EDGES} } }
}`;
const MY_CONVERSATIONS = `query($first: Int, $after: String, $last: Int, $before: String) {
  viewer { conversations(first: $first, after: $after, last: $last, before: $before) {
    edges { cursor node { id title updatedAt } }
    pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
  } }
}`;
const EVENTS = `subscription { events {
  __typename
  ... on ConversationAddedEvent { conversation { id title viewerRole memberCount } }
  ... on ConversationUpdatedEvent { conversation { id title viewerRole memberCount } }
  ... on ConversationRemovedEvent { conversationId reason }
} }`;

const code = (r: GqlResult) => r.errors?.[0]?.extensions?.code;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe.each(backends)('conversations on %s', (backend) => {
  const app = useTestApp(backend);

  /** Signs up one user per prefix, in order. */
  async function users<const P extends readonly string[]>(client: TestClient, ...prefixes: P): Promise<{ [K in keyof P]: Session }> {
    const sessions: Session[] = [];
    for (const prefix of prefixes) sessions.push(await client.signUp(prefix));
    return sessions as { [K in keyof P]: Session };
  }

  async function createGroup(client: TestClient, owner: Session, title: string, members: Session[] = []) {
    const data = await client.ok(CREATE_GROUP, { input: { title, memberIds: members.map((m) => m.userId) } }, owner.accessToken);
    return data.createGroupConversation as { id: string; title: string; updatedAt: string; viewerRole: string; memberCount: number };
  }

  /** Adds members one call at a time (a few ms apart), so that their join order is unambiguous. */
  async function addOneByOne(client: TestClient, by: Session, id: string, members: Session[]) {
    for (const m of members) {
      await sleep(3);
      await client.ok(ADD, { id, userIds: [m.userId] }, by.accessToken);
    }
  }

  async function conversationOf(client: TestClient, s: Session, id: string) {
    return (await client.ok(CONVERSATION, { id }, s.accessToken)).conversation;
  }

  async function rolesIn(client: TestClient, s: Session, id: string): Promise<Record<string, string>> {
    const c = await conversationOf(client, s, id);
    return Object.fromEntries(c.members.edges.map((e: any) => [e.node.id, e.role]));
  }

  async function myConversationIds(client: TestClient, s: Session): Promise<string[]> {
    const data = await client.ok(MY_CONVERSATIONS, { first: 100 }, s.accessToken);
    return data.viewer.conversations.edges.map((e: any) => e.node.id);
  }

  /** Opens the events stream and proves it is live: a group the user creates alone arrives on it. */
  async function liveEvents(client: TestClient, s: Session): Promise<SseReader> {
    const events = await client.subscribe(EVENTS, s.accessToken);
    expect(events.status).toBe(200);
    const probe = await createGroup(client, s, 'probe');
    const first = await events.next();
    expect(first.data.data.events).toMatchObject({ __typename: 'ConversationAddedEvent', conversation: { id: probe.id } });
    return events;
  }

  describe('direct conversations', () => {
    it('opens the same direct conversation from either side, once', async () => {
      const { client } = app();
      const [ana, bo] = await users(client, 'ana', 'bo');
      const first = (await client.ok(OPEN_DIRECT, { userId: bo.userId }, ana.accessToken)).openDirectConversation;
      const again = (await client.ok(OPEN_DIRECT, { userId: bo.userId }, ana.accessToken)).openDirectConversation;
      const fromBo = (await client.ok(OPEN_DIRECT, { userId: ana.userId }, bo.accessToken)).openDirectConversation;
      expect(first).toMatchObject({ kind: 'DIRECT', title: null, memberCount: 2, viewerRole: 'MEMBER' });
      expect(first.id).toMatch(/^cnv_[0-9a-f]{32}$/);
      expect(again.id).toBe(first.id);
      expect(fromBo.id).toBe(first.id);
      expect(await myConversationIds(client, ana)).toEqual([first.id]);
      expect(await myConversationIds(client, bo)).toEqual([first.id]);
      const members = (await conversationOf(client, bo, first.id)).members.edges.map((e: any) => e.node.id);
      expect(members.sort()).toEqual([ana.userId, bo.userId].sort());
    });

    it('creates only one direct conversation when both people open it at the same moment', async () => {
      const { client } = app();
      const [ana, bo] = await users(client, 'ana', 'bo');
      const results = await Promise.all([
        client.ok(OPEN_DIRECT, { userId: bo.userId }, ana.accessToken),
        client.ok(OPEN_DIRECT, { userId: ana.userId }, bo.accessToken),
        client.ok(OPEN_DIRECT, { userId: bo.userId }, ana.accessToken),
      ]);
      const ids = new Set(results.map((r) => r.openDirectConversation.id));
      expect(ids.size).toBe(1);
      expect(await myConversationIds(client, ana)).toEqual([...ids]);
      expect(await myConversationIds(client, bo)).toEqual([...ids]);
    });

    it('refuses a direct conversation with yourself, an unknown user or a malformed id', async () => {
      const { client } = app();
      const [ana, bo] = await users(client, 'ana', 'bo');
      const group = await createGroup(client, bo, 'Not a person');
      const unknownUser = `usr_${'0'.repeat(32)}`;
      for (const userId of [ana.userId, unknownUser, 'not-an-id', group.id]) {
        const r = await client.gql(OPEN_DIRECT, { userId }, { token: ana.accessToken });
        expect(r.errors?.[0]?.extensions, userId).toMatchObject({ code: 'BAD_USER_INPUT' });
      }
      expect(await myConversationIds(client, ana)).toEqual([]);
    });

    it('cannot be renamed, added to, removed from, re-roled or left', async () => {
      const { client } = app();
      const [ana, bo, cy] = await users(client, 'ana', 'bo', 'cy');
      const direct = (await client.ok(OPEN_DIRECT, { userId: bo.userId }, ana.accessToken)).openDirectConversation;
      const attempts = [
        client.gql(RENAME, { id: direct.id, title: 'Renamed' }, { token: ana.accessToken }),
        client.gql(ADD, { id: direct.id, userIds: [cy.userId] }, { token: ana.accessToken }),
        client.gql(REMOVE, { id: direct.id, userId: bo.userId }, { token: ana.accessToken }),
        client.gql(SET_ROLE, { id: direct.id, userId: bo.userId, role: 'OWNER' }, { token: ana.accessToken }),
        client.gql(LEAVE, { id: direct.id }, { token: bo.accessToken }),
      ];
      for (const r of await Promise.all(attempts)) expect(code(r)).toBe('FORBIDDEN');
      const after = await conversationOf(client, ana, direct.id);
      expect(after).toMatchObject({ title: null, memberCount: 2, updatedAt: direct.updatedAt });
      expect(await rolesIn(client, bo, direct.id)).toEqual({ [ana.userId]: 'MEMBER', [bo.userId]: 'MEMBER' });
      expect(await myConversationIds(client, cy)).toEqual([]);
    });
  });

  describe('groups', () => {
    it('makes the creator owner and lists the members in the order they joined', async () => {
      const { client } = app();
      // The members sign up before the owner, so their ids sort first: order must still come from joining.
      const [bo, cy, ana, dee] = await users(client, 'bo', 'cy', 'ana', 'dee');
      const group = await createGroup(client, ana, '  Book club  ', [bo, cy, bo, ana]);
      expect(group).toMatchObject({ title: 'Book club', viewerRole: 'OWNER', memberCount: 3 });
      await addOneByOne(client, ana, group.id, [dee]);
      const seen = await conversationOf(client, cy, group.id);
      expect(seen).toMatchObject({ kind: 'GROUP', viewerRole: 'MEMBER', memberCount: 4 });
      const edges = seen.members.edges;
      expect(edges[0]).toMatchObject({ node: { id: ana.userId }, role: 'OWNER' });
      expect(
        edges
          .slice(1, 3)
          .map((e: any) => e.node.id)
          .sort(),
      ).toEqual([bo.userId, cy.userId].sort());
      expect(edges[3]).toMatchObject({ node: { id: dee.userId }, role: 'MEMBER' });
      const joined = edges.map((e: any) => Date.parse(e.joinedAt));
      expect(joined).toEqual([...joined].sort((a, b) => a - b));
      expect(joined[3]).toBeGreaterThan(joined[0]);
      for (const s of [ana, bo, cy, dee]) expect(await myConversationIds(client, s)).toContain(group.id);
    });

    it('rejects a bad title, unknown member or malformed id and creates nothing', async () => {
      const { client } = app();
      const [ana, bo] = await users(client, 'ana', 'bo');
      const unknownUser = `usr_${'f'.repeat(32)}`;
      const cases = [
        [{ title: '', memberIds: [bo.userId] }, 'title'],
        [{ title: '   ', memberIds: [bo.userId] }, 'title'],
        [{ title: 'x'.repeat(101), memberIds: [bo.userId] }, 'title'],
        [{ title: 'Line\nbreak', memberIds: [bo.userId] }, 'title'],
        [{ title: 'Fine', memberIds: [bo.userId, unknownUser] }, 'memberIds'],
        [{ title: 'Fine', memberIds: [bo.userId, 'usr_nope'] }, undefined],
      ] as const;
      for (const [input, field] of cases) {
        const r = await client.gql(CREATE_GROUP, { input }, { token: ana.accessToken });
        expect(r.errors?.[0]?.extensions, JSON.stringify(input)).toMatchObject({ code: 'BAD_USER_INPUT', ...(field ? { field } : {}) });
      }
      const longest = await createGroup(client, ana, '🚣'.repeat(100));
      expect(longest.title).toBe('🚣'.repeat(100));
      expect(await myConversationIds(client, ana)).toEqual([longest.id]);
      expect(await myConversationIds(client, bo)).toEqual([]);
    });

    it('lets owners and admins rename and add, but not plain members', async () => {
      const { client } = app();
      const [owner, admin, member, newcomer, later] = await users(client, 'own', 'adm', 'mem', 'new', 'late');
      const group = await createGroup(client, owner, 'Start', [admin, member]);
      await client.ok(SET_ROLE, { id: group.id, userId: admin.userId, role: 'ADMIN' }, owner.accessToken);

      const byAdmin = await client.ok(RENAME, { id: group.id, title: 'By admin' }, admin.accessToken);
      expect(byAdmin.renameConversation).toMatchObject({ title: 'By admin', viewerRole: 'ADMIN' });
      const added = await client.ok(ADD, { id: group.id, userIds: [newcomer.userId] }, admin.accessToken);
      expect(added.addConversationMembers.memberCount).toBe(4);

      const rename = await client.gql(RENAME, { id: group.id, title: 'By member' }, { token: member.accessToken });
      expect(code(rename)).toBe('FORBIDDEN');
      const add = await client.gql(ADD, { id: group.id, userIds: [later.userId] }, { token: member.accessToken });
      expect(code(add)).toBe('FORBIDDEN');
      const setRole = await client.gql(SET_ROLE, { id: group.id, userId: member.userId, role: 'ADMIN' }, { token: admin.accessToken });
      expect(code(setRole)).toBe('FORBIDDEN');

      const byOwner = await client.ok(RENAME, { id: group.id, title: 'By owner' }, owner.accessToken);
      expect(byOwner.renameConversation.title).toBe('By owner');
      expect(await conversationOf(client, newcomer, group.id)).toMatchObject({ title: 'By owner', memberCount: 4 });
      expect(await rolesIn(client, member, group.id)).toEqual({
        [owner.userId]: 'OWNER',
        [admin.userId]: 'ADMIN',
        [member.userId]: 'MEMBER',
        [newcomer.userId]: 'MEMBER',
      });
      expect(await myConversationIds(client, later)).toEqual([]);
    });

    it('rejects a bad new title and keeps the old one', async () => {
      const { client } = app();
      const [ana] = await users(client, 'ana');
      const group = await createGroup(client, ana, 'Keep me');
      for (const title of ['', '  ', 'y'.repeat(101), 'tab\there']) {
        const r = await client.gql(RENAME, { id: group.id, title }, { token: ana.accessToken });
        expect(r.errors?.[0]?.extensions, JSON.stringify(title)).toMatchObject({ code: 'BAD_USER_INPUT', field: 'title' });
      }
      expect(await conversationOf(client, ana, group.id)).toMatchObject({ title: 'Keep me', updatedAt: group.updatedAt });
    });

    it('ignores members already in, and adds nobody when one of the users is unknown', async () => {
      const { client } = app();
      const [ana, bo, cy] = await users(client, 'ana', 'bo', 'cy');
      const group = await createGroup(client, ana, 'Adds', [bo]);
      const again = await client.ok(ADD, { id: group.id, userIds: [bo.userId, ana.userId, bo.userId] }, ana.accessToken);
      expect(again.addConversationMembers.memberCount).toBe(2);
      const unknown = await client.gql(ADD, { id: group.id, userIds: [cy.userId, `usr_${'a'.repeat(32)}`] }, { token: ana.accessToken });
      expect(unknown.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'userIds' });
      const malformed = await client.gql(ADD, { id: group.id, userIds: [cy.userId, 'garbage'] }, { token: ana.accessToken });
      expect(code(malformed)).toBe('BAD_USER_INPUT');
      const wrongType = await client.gql(ADD, { id: group.id, userIds: [cy.userId, group.id] }, { token: ana.accessToken });
      expect(code(wrongType)).toBe('BAD_USER_INPUT');
      expect((await conversationOf(client, ana, group.id)).memberCount).toBe(2);
      expect(await myConversationIds(client, cy)).toEqual([]);
    });

    it('lets owners remove anyone, admins only plain members, and members nobody', async () => {
      const { client } = app();
      const [owner, owner2, admin, admin2, m1, m2] = await users(client, 'own', 'own2', 'adm', 'adm2', 'm1', 'm2');
      const group = await createGroup(client, owner, 'Removals', [owner2, admin, admin2, m1, m2]);
      for (const [s, role] of [
        [owner2, 'OWNER'],
        [admin, 'ADMIN'],
        [admin2, 'ADMIN'],
      ] as const) {
        await client.ok(SET_ROLE, { id: group.id, userId: s.userId, role }, owner.accessToken);
      }
      const forbidden = [
        [admin, admin2],
        [admin, owner],
        [m1, m2],
        [m1, admin],
      ] as const;
      for (const [by, target] of forbidden) {
        const r = await client.gql(REMOVE, { id: group.id, userId: target.userId }, { token: by.accessToken });
        expect(code(r), `${by.handle} removes ${target.handle}`).toBe('FORBIDDEN');
      }
      expect((await conversationOf(client, owner, group.id)).memberCount).toBe(6);

      const byAdmin = await client.ok(REMOVE, { id: group.id, userId: m1.userId }, admin.accessToken);
      expect(byAdmin.removeConversationMember.memberCount).toBe(5);
      await client.ok(REMOVE, { id: group.id, userId: admin2.userId }, owner.accessToken);
      await client.ok(REMOVE, { id: group.id, userId: owner2.userId }, owner.accessToken);
      expect(await rolesIn(client, m2, group.id)).toEqual({ [owner.userId]: 'OWNER', [admin.userId]: 'ADMIN', [m2.userId]: 'MEMBER' });

      const notMember = await client.gql(REMOVE, { id: group.id, userId: m1.userId }, { token: owner.accessToken });
      expect(code(notMember)).toBe('NOT_FOUND');
      const self = await client.gql(REMOVE, { id: group.id, userId: owner.userId }, { token: owner.accessToken });
      expect(code(self)).toBe('BAD_USER_INPUT');
    });

    it('lets only owners set roles, not their own', async () => {
      const { client } = app();
      const [owner, bo, cy] = await users(client, 'own', 'bo', 'cy');
      const group = await createGroup(client, owner, 'Roles', [bo, cy]);
      const promoted = await client.ok(SET_ROLE, { id: group.id, userId: bo.userId, role: 'OWNER' }, owner.accessToken);
      expect(promoted.setConversationMemberRole.viewerRole).toBe('OWNER');
      expect((await conversationOf(client, bo, group.id)).viewerRole).toBe('OWNER');
      const own = await client.gql(SET_ROLE, { id: group.id, userId: owner.userId, role: 'MEMBER' }, { token: owner.accessToken });
      expect(code(own)).toBe('BAD_USER_INPUT');
      const byMember = await client.gql(SET_ROLE, { id: group.id, userId: bo.userId, role: 'MEMBER' }, { token: cy.accessToken });
      expect(code(byMember)).toBe('FORBIDDEN');
      await client.ok(SET_ROLE, { id: group.id, userId: owner.userId, role: 'ADMIN' }, bo.accessToken);
      expect(await rolesIn(client, cy, group.id)).toEqual({ [owner.userId]: 'ADMIN', [bo.userId]: 'OWNER', [cy.userId]: 'MEMBER' });
    });
  });

  describe('leaving', () => {
    it('hands ownership to the longest-standing admin when the last owner leaves', async () => {
      const { client } = app();
      const [owner, early, admin1, admin2] = await users(client, 'own', 'early', 'adm1', 'adm2');
      const group = await createGroup(client, owner, 'Succession');
      await addOneByOne(client, owner, group.id, [early, admin1, admin2]);
      // admin2 is promoted first, but admin1 has been in the group longer.
      await client.ok(SET_ROLE, { id: group.id, userId: admin2.userId, role: 'ADMIN' }, owner.accessToken);
      await client.ok(SET_ROLE, { id: group.id, userId: admin1.userId, role: 'ADMIN' }, owner.accessToken);
      const left = await client.ok(LEAVE, { id: group.id }, owner.accessToken);
      expect(left.leaveConversation.conversationId).toBe(group.id);
      expect(await rolesIn(client, early, group.id)).toEqual({
        [early.userId]: 'MEMBER',
        [admin1.userId]: 'OWNER',
        [admin2.userId]: 'ADMIN',
      });
      expect(await client.ok(CONVERSATION, { id: group.id }, owner.accessToken)).toEqual({ conversation: null });
      expect(await myConversationIds(client, owner)).not.toContain(group.id);
    });

    it('hands ownership to the longest-standing member when there is no admin', async () => {
      const { client } = app();
      const [owner, first, second] = await users(client, 'own', 'first', 'second');
      const group = await createGroup(client, owner, 'No admins');
      await addOneByOne(client, owner, group.id, [second, first]);
      await client.ok(LEAVE, { id: group.id }, owner.accessToken);
      expect(await rolesIn(client, first, group.id)).toEqual({ [second.userId]: 'OWNER', [first.userId]: 'MEMBER' });
    });

    it('promotes nobody while another owner remains, and lets plain members leave', async () => {
      const { client } = app();
      const [owner, coOwner, admin, member] = await users(client, 'own', 'co', 'adm', 'mem');
      const group = await createGroup(client, owner, 'Two owners');
      await addOneByOne(client, owner, group.id, [admin, coOwner, member]);
      await client.ok(SET_ROLE, { id: group.id, userId: admin.userId, role: 'ADMIN' }, owner.accessToken);
      await client.ok(SET_ROLE, { id: group.id, userId: coOwner.userId, role: 'OWNER' }, owner.accessToken);
      await client.ok(LEAVE, { id: group.id }, member.accessToken);
      await client.ok(LEAVE, { id: group.id }, owner.accessToken);
      expect(await rolesIn(client, admin, group.id)).toEqual({ [admin.userId]: 'ADMIN', [coOwner.userId]: 'OWNER' });
      const again = await client.gql(LEAVE, { id: group.id }, { token: member.accessToken });
      expect(code(again)).toBe('NOT_FOUND');
    });
  });

  describe('privacy', () => {
    it('shows a conversation to nobody but its members, without revealing that it exists', async () => {
      const { client } = app();
      const [ana, bo, eve] = await users(client, 'ana', 'bo', 'eve');
      const group = await createGroup(client, ana, 'Secret', [bo]);
      const direct = (await client.ok(OPEN_DIRECT, { userId: bo.userId }, ana.accessToken)).openDirectConversation;
      const missing = `cnv_${'0'.repeat(32)}`;
      for (const id of [group.id, direct.id, missing]) {
        expect(await client.ok(CONVERSATION, { id }, eve.accessToken)).toEqual({ conversation: null });
        expect(await client.ok(NODE, { id }, eve.accessToken)).toEqual({ node: null });
      }
      expect(await client.ok(NODE, { id: group.id }, bo.accessToken)).toEqual({ node: { id: group.id, title: 'Secret' } });
      expect(await myConversationIds(client, eve)).toEqual([]);

      const messages = new Set<string>();
      for (const id of [group.id, missing]) {
        const attempts = await Promise.all([
          client.gql(RENAME, { id, title: 'Mine now' }, { token: eve.accessToken }),
          client.gql(ADD, { id, userIds: [eve.userId] }, { token: eve.accessToken }),
          client.gql(REMOVE, { id, userId: bo.userId }, { token: eve.accessToken }),
          client.gql(SET_ROLE, { id, userId: eve.userId, role: 'OWNER' }, { token: eve.accessToken }),
          client.gql(LEAVE, { id }, { token: eve.accessToken }),
        ]);
        for (const r of attempts) {
          expect(code(r)).toBe('NOT_FOUND');
          expect(r.data).toBeNull();
          messages.add(`${r.errors?.[0]?.message}`);
        }
      }
      // A stranger cannot tell an existing conversation from a missing one.
      expect(messages.size).toBe(1);
      const renameDirect = await client.gql(RENAME, { id: direct.id, title: 'x' }, { token: eve.accessToken });
      expect(code(renameDirect)).toBe('NOT_FOUND');
      expect(await conversationOf(client, bo, group.id)).toMatchObject({ title: 'Secret', memberCount: 2, updatedAt: group.updatedAt });
    });

    it('needs a signed-in user and a well-formed conversation id', async () => {
      const { client } = app();
      const [ana] = await users(client, 'ana');
      const group = await createGroup(client, ana, 'Ids');
      const anonymous = await client.gql(CONVERSATION, { id: group.id });
      expect(code(anonymous)).toBe('UNAUTHENTICATED');
      const anonymousRename = await client.gql(RENAME, { id: group.id, title: 'Anon' });
      expect(code(anonymousRename)).toBe('UNAUTHENTICATED');
      for (const id of ['nope', 'cnv_123', ana.userId]) {
        const rename = await client.gql(RENAME, { id, title: 'Bad id' }, { token: ana.accessToken });
        expect(code(rename), id).toBe('BAD_USER_INPUT');
      }
      for (const id of ['nope', 'cnv_123']) {
        const query = await client.gql(CONVERSATION, { id }, { token: ana.accessToken });
        expect(code(query), id).toBe('BAD_USER_INPUT');
      }
      expect((await conversationOf(client, ana, group.id)).title).toBe('Ids');
    });

    it('takes access away from a removed member at once', async () => {
      const { client } = app();
      const [ana, bo] = await users(client, 'ana', 'bo');
      const group = await createGroup(client, ana, 'Kick', [bo]);
      expect((await conversationOf(client, bo, group.id)).title).toBe('Kick');
      await client.ok(REMOVE, { id: group.id, userId: bo.userId }, ana.accessToken);
      expect(await client.ok(CONVERSATION, { id: group.id }, bo.accessToken)).toEqual({ conversation: null });
      expect(await client.ok(NODE, { id: group.id }, bo.accessToken)).toEqual({ node: null });
      expect(await myConversationIds(client, bo)).toEqual([]);
      const rename = await client.gql(RENAME, { id: group.id, title: 'Back' }, { token: bo.accessToken });
      expect(code(rename)).toBe('NOT_FOUND');
      const leave = await client.gql(LEAVE, { id: group.id }, { token: bo.accessToken });
      expect(code(leave)).toBe('NOT_FOUND');
    });
  });

  describe('events', () => {
    it('tells added members, remaining members and removed members what happened', async () => {
      const { client } = app();
      const [ana, bo, cy] = await users(client, 'ana', 'bo', 'cy');
      const boEvents = await liveEvents(client, bo);
      const cyEvents = await liveEvents(client, cy);
      try {
        const group = await createGroup(client, ana, 'Live', [bo]);
        expect((await boEvents.next()).data.data.events).toEqual({
          __typename: 'ConversationAddedEvent',
          conversation: { id: group.id, title: 'Live', viewerRole: 'MEMBER', memberCount: 2 },
        });

        await client.ok(ADD, { id: group.id, userIds: [cy.userId] }, ana.accessToken);
        expect((await cyEvents.next()).data.data.events).toEqual({
          __typename: 'ConversationAddedEvent',
          conversation: { id: group.id, title: 'Live', viewerRole: 'MEMBER', memberCount: 3 },
        });
        expect((await boEvents.next()).data.data.events).toMatchObject({
          __typename: 'ConversationUpdatedEvent',
          conversation: { id: group.id, memberCount: 3 },
        });

        await client.ok(RENAME, { id: group.id, title: 'Renamed' }, ana.accessToken);
        for (const events of [boEvents, cyEvents]) {
          expect((await events.next()).data.data.events).toMatchObject({
            __typename: 'ConversationUpdatedEvent',
            conversation: { id: group.id, title: 'Renamed' },
          });
        }

        await client.ok(SET_ROLE, { id: group.id, userId: cy.userId, role: 'ADMIN' }, ana.accessToken);
        expect((await cyEvents.next()).data.data.events).toMatchObject({
          __typename: 'ConversationUpdatedEvent',
          conversation: { id: group.id, viewerRole: 'ADMIN' },
        });
        expect((await boEvents.next()).data.data.events.__typename).toBe('ConversationUpdatedEvent');

        await client.ok(REMOVE, { id: group.id, userId: bo.userId }, cy.accessToken);
        expect((await boEvents.next()).data.data.events).toEqual({
          __typename: 'ConversationRemovedEvent',
          conversationId: group.id,
          reason: 'REMOVED',
        });
        expect((await cyEvents.next()).data.data.events).toMatchObject({
          __typename: 'ConversationUpdatedEvent',
          conversation: { id: group.id, memberCount: 2 },
        });

        await client.ok(LEAVE, { id: group.id }, cy.accessToken);
        expect((await cyEvents.next()).data.data.events).toEqual({
          __typename: 'ConversationRemovedEvent',
          conversationId: group.id,
          reason: 'LEFT',
        });

        // bo and cy are out: a later rename is not announced to them, so the next thing they hear
        // is a direct conversation being opened between them.
        await client.ok(RENAME, { id: group.id, title: 'Without bo' }, ana.accessToken);
        const direct = (await client.ok(OPEN_DIRECT, { userId: bo.userId }, cy.accessToken)).openDirectConversation;
        expect((await boEvents.next()).data.data.events).toMatchObject({
          __typename: 'ConversationAddedEvent',
          conversation: { id: direct.id, title: null, viewerRole: 'MEMBER' },
        });
        expect((await cyEvents.next()).data.data.events).toMatchObject({
          __typename: 'ConversationAddedEvent',
          conversation: { id: direct.id },
        });
        await client.ok(OPEN_DIRECT, { userId: cy.userId }, bo.accessToken);
        await client.ok(OPEN_DIRECT, { userId: bo.userId }, ana.accessToken);
        // Re-opening an existing direct conversation is not news; the new one with ana is.
        expect((await boEvents.next()).data.data.events).toMatchObject({
          __typename: 'ConversationAddedEvent',
          conversation: { title: null },
        });
      } finally {
        boEvents.close();
        cyEvents.close();
      }
    });

    it('does not announce a change that changed nothing', async () => {
      const { client } = app();
      const [ana, bo] = await users(client, 'ana', 'bo');
      const group = await createGroup(client, ana, 'Quiet', [bo]);
      const boEvents = await liveEvents(client, bo);
      try {
        await client.ok(ADD, { id: group.id, userIds: [bo.userId] }, ana.accessToken);
        await client.ok(RENAME, { id: group.id, title: 'Loud' }, ana.accessToken);
        expect((await boEvents.next()).data.data.events).toMatchObject({
          __typename: 'ConversationUpdatedEvent',
          conversation: { title: 'Loud' },
        });
      } finally {
        boEvents.close();
      }
      expect((await conversationOf(client, ana, group.id)).memberCount).toBe(2);
    });
  });

  describe('pagination', () => {
    it('lists my conversations most recently changed first, page by page, with no duplicates or gaps', async () => {
      const { client } = app();
      const [ana, bo, cy] = await users(client, 'ana', 'bo', 'cy');
      const created: string[] = [];
      for (let i = 0; i < 7; i++) created.push((await createGroup(client, ana, `Group ${i}`, [bo])).id);
      created.push((await client.ok(OPEN_DIRECT, { userId: cy.userId }, ana.accessToken)).openDirectConversation.id);
      await sleep(3);
      // Changes bring a conversation to the top: a rename, new members, a new role.
      await client.ok(RENAME, { id: created[2], title: 'Renamed' }, ana.accessToken);
      await sleep(3);
      await client.ok(ADD, { id: created[4], userIds: [cy.userId] }, ana.accessToken);
      await sleep(3);
      await client.ok(SET_ROLE, { id: created[0], userId: bo.userId, role: 'ADMIN' }, ana.accessToken);
      const expected = [created[0], created[4], created[2], created[7], created[6], created[5], created[3], created[1]];

      const all = await client.ok(MY_CONVERSATIONS, { first: 100 }, ana.accessToken);
      expect(all.viewer.conversations.edges.map((e: any) => e.node.id)).toEqual(expected);
      const times = all.viewer.conversations.edges.map((e: any) => Date.parse(e.node.updatedAt));
      expect(times).toEqual([...times].sort((a, b) => b - a));

      const forward: string[] = [];
      let after: string | undefined;
      let pages = 0;
      for (;;) {
        const page = (await client.ok(MY_CONVERSATIONS, { first: 3, after }, ana.accessToken)).viewer.conversations;
        forward.push(...page.edges.map((e: any) => e.node.id));
        pages++;
        if (!page.pageInfo.hasNextPage) break;
        expect(page.edges).toHaveLength(3);
        after = page.pageInfo.endCursor;
      }
      expect(pages).toBe(3);
      expect(forward).toEqual(expected);

      const backward: string[] = [];
      let before: string | undefined;
      for (;;) {
        const page = (await client.ok(MY_CONVERSATIONS, { last: 3, before }, ana.accessToken)).viewer.conversations;
        backward.unshift(...page.edges.map((e: any) => e.node.id));
        if (!page.pageInfo.hasPreviousPage) break;
        before = page.pageInfo.startCursor;
      }
      expect(backward).toEqual(expected);

      const boIds = await myConversationIds(client, bo);
      expect(boIds).toEqual(expected.filter((id) => id !== created[7]));
    });

    it('pages through members in join order with their roles', async () => {
      const { client } = app();
      const [owner, ...others] = await users(client, 'own', 'a', 'b', 'c', 'd', 'e', 'f');
      const group = await createGroup(client, owner, 'Many');
      await addOneByOne(client, owner, group.id, others);
      await client.ok(SET_ROLE, { id: group.id, userId: others[3]?.userId, role: 'ADMIN' }, owner.accessToken);
      const expected = [owner, ...others].map((s) => s.userId);

      const seen: { id: string; role: string; joinedAt: string }[] = [];
      let after: string | undefined;
      for (;;) {
        const data = await client.ok(MEMBERS_PAGE, { id: group.id, first: 2, after }, others[5]?.accessToken);
        const page = data.conversation.members;
        seen.push(...page.edges.map((e: any) => ({ id: e.node.id, role: e.role, joinedAt: e.joinedAt })));
        if (!page.pageInfo.hasNextPage) break;
        after = page.pageInfo.endCursor;
      }
      expect(seen.map((m) => m.id)).toEqual(expected);
      expect(seen.map((m) => m.role)).toEqual(['OWNER', 'MEMBER', 'MEMBER', 'MEMBER', 'ADMIN', 'MEMBER', 'MEMBER']);
      const joined = seen.map((m) => Date.parse(m.joinedAt));
      expect(new Set(joined).size).toBe(joined.length);
      expect(joined).toEqual([...joined].sort((a, b) => a - b));

      const last = await client.ok(MEMBERS_PAGE, { id: group.id, last: 3 }, owner.accessToken);
      expect(last.conversation.members.edges.map((e: any) => e.node.id)).toEqual(expected.slice(-3));
      expect(last.conversation.members.pageInfo.hasPreviousPage).toBe(true);

      const bad = await client.gql(MEMBERS_PAGE, { id: group.id, first: 2, after: 'bm90LWEtY3Vyc29y' }, { token: owner.accessToken });
      expect(code(bad)).toBe('BAD_USER_INPUT');
    });
  });
});

import { AsyncLocalStorage } from 'node:async_hooks';
import { limits } from '@mailboat/schema';
import {
  type GraphQLInputType,
  getNamedType,
  getNullableType,
  isInputObjectType,
  isInterfaceType,
  isListType,
  isObjectType,
  parse,
} from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../src/app.js';
import { buildSchema } from '../src/graphql/schema.js';
import { queryCost } from '../src/http/query-cost.js';
import { listArgumentCaps } from '../src/http/query-cost-rules.js';
import { startApp } from './environment.js';
import { freshDatabase, type Session, TestClient, testEnv } from './harness.js';

const schema = buildSchema();
const cost = (query: string, variables: Record<string, unknown> = {}) => queryCost(schema, parse(query), undefined, variables);
const codeOf = (thrown: () => unknown) => {
  try {
    thrown();
  } catch (e) {
    return (e as { extensions?: Record<string, unknown> }).extensions;
  }
  return undefined;
};

describe('the cost of a query', () => {
  it('counts objects, multiplies connections by their page size and adds 30 per database query', () => {
    // viewer: a query and an object (31); devices: a page query and the connection (31); 10 × (edge + node).
    expect(cost('{ viewer { devices(first: 10) { edges { node { id name } } } } }')).toBe(31 + 31 + 10 * 2);
    expect(cost('{ viewer { devices { edges { node { id } } pageInfo { hasNextPage } } } }')).toBe(31 + 31 + 20 * 2 + 1);
    expect(cost('query($n: Int) { viewer { devices(last: $n) { edges { node { id } } } } }', { n: 7 })).toBe(31 + 31 + 7 * 2);
    expect(cost('{ __typename viewer { __typename } }')).toBe(31);
  });

  it('sizes lists by their list argument, and lists only the data bounds at their most', () => {
    const ids = Array.from({ length: 40 }, (_, i) => `usr_${String(i).padStart(32, '0')}`);
    expect(cost('query($ids: [ID!]!) { nodes(ids: $ids) { id ... on User { handle } } }', { ids })).toBe(30 + 40);
    const update = { conversationId: 'cnv_x', segment: 1, update: 'AA==' };
    // pushUpdates: a query, a query per update, the payload, and a result per update.
    expect(
      cost('mutation($u: [SegmentUpdateInput!]!) { pushUpdates(updates: $u) { results { status } } }', { u: [update, update, update] }),
    ).toBe(30 + 3 * 30 + 1 + 3);
    expect(cost('{ node(id: "msg_x") { ... on Message { reactions { emoji } versions { text } } } }')).toBe(
      30 + 1 + limits.groupMembers.max + limits.messageVersions.max,
    );
  });

  it('honours @skip and @include, counts fragments where spread, and stays linear in the document', () => {
    const page = 'viewer { devices(first: 10) { edges { node { id } } } }';
    expect(cost(`query($s: Boolean!) { ${page} a: viewer @skip(if: $s) { user { id } } }`, { s: true })).toBe(82);
    expect(cost(`query($s: Boolean!) { ${page} a: viewer @include(if: $s) { user { id } } }`, { s: true })).toBe(82 + 32);
    // 40 fragments each spreading the next twice: 2^40 spreads if walked naively.
    const chain = Array.from({ length: 40 }, (_, i) => `fragment F${i} on Viewer { ...F${i + 1} ...F${i + 1} }`).join(' ');
    const started = Date.now();
    const huge = cost(`{ viewer { ...F0 } } ${chain} fragment F40 on Viewer { user { id } }`);
    expect(huge).toBeGreaterThan(2 ** 40);
    expect(Date.now() - started).toBeLessThan(1000);
  });

  it('refuses a page size over 100 and a list argument over its cap with BAD_USER_INPUT naming it', () => {
    expect(codeOf(() => cost('{ viewer { devices(first: 101) { edges { node { id } } } } }'))).toMatchObject({
      code: 'BAD_USER_INPUT',
      field: 'first',
    });
    expect(codeOf(() => cost('query($n: Int) { viewer { conversations(last: $n) { edges { cursor } } } }', { n: 1000 }))).toMatchObject({
      code: 'BAD_USER_INPUT',
      field: 'last',
    });
    const ids = (n: number) => Array.from({ length: n }, () => 'usr_x');
    expect(codeOf(() => cost('query($ids: [ID!]!) { nodes(ids: $ids) { id } }', { ids: ids(101) }))).toMatchObject({ field: 'ids' });
    expect(codeOf(() => cost('query($ids: [ID!]!) { nodes(ids: $ids) { id } }', { ids: ids(100) }))).toBeUndefined();
    const input = { title: 'Big', memberIds: ids(limits.groupMembers.max) };
    const create = 'mutation($i: CreateGroupConversationInput!) { createGroupConversation(input: $i) { id } }';
    expect(codeOf(() => cost(create, { i: input }))).toMatchObject({ code: 'BAD_USER_INPUT', field: 'memberIds' });
  });

  it('has a cap for every list argument of the schema, and every page size is an Int', () => {
    const uncapped: string[] = [];
    const visitInput = (type: GraphQLInputType, key: string, seen: Set<string>) => {
      const inner = getNullableType(type);
      if (isListType(inner) && listArgumentCaps[key] === undefined) uncapped.push(key);
      const named = getNamedType(type);
      if (isInputObjectType(named) && !seen.has(named.name)) {
        seen.add(named.name);
        for (const f of Object.values(named.getFields())) visitInput(f.type, `${named.name}.${f.name}`, seen);
      }
    };
    for (const type of Object.values(schema.getTypeMap())) {
      if (type.name.startsWith('__') || !(isObjectType(type) || isInterfaceType(type))) continue;
      for (const field of Object.values(type.getFields())) {
        for (const arg of field.args) {
          if (arg.name === 'first' || arg.name === 'last') expect(getNamedType(arg.type).name, `${type.name}.${field.name}`).toBe('Int');
          visitInput(arg.type, `${type.name}.${field.name}.${arg.name}`, new Set());
        }
      }
    }
    expect(uncapped).toEqual([]);
  });
});

/**
 * The app on PGlite, its database wrapped to count the queries it runs for requests: only
 * queries made while serving a request through `client` count (an AsyncLocalStorage scope
 * around each fetch), not the background workers' (notifications, sweeps) running meanwhile.
 */
async function countingApp(): Promise<{ app: App; client: TestClient; queries: () => number; close: () => Promise<void> }> {
  let queries = 0;
  const serving = new AsyncLocalStorage<true>();
  const db = (await freshDatabase('pglite')).withPlugin({
    transformQuery: (args) => args.node,
    transformResult: async (args) => {
      if (serving.getStore()) queries++;
      return args.result;
    },
  });
  const app = await startApp(testEnv({ MAX_QUERY_COST: '30000' }), db);
  const fetch = ((...args: Parameters<App['yoga']['fetch']>) => serving.run(true, () => app.yoga.fetch(...args))) as App['yoga']['fetch'];
  const counted = { ...app, yoga: { fetch } } as unknown as App;
  return { app, client: new TestClient(counted), queries: () => queries, close: app.close };
}

describe('lists an argument sizes, against the real app', () => {
  let env: Awaited<ReturnType<typeof countingApp>>;
  beforeAll(async () => {
    env = await countingApp();
  });
  afterAll(async () => {
    await env?.close();
  });

  const NODES = `query($ids: [ID!]!) { nodes(ids: $ids) {
    __typename id ... on User { handle } ... on Device { name } ... on Conversation { title viewerRole } ... on Message { text }
  } }`;

  /** Ana with 24 more devices; 25 other users with a direct conversation each; a message in each. */
  async function seed(client: TestClient) {
    const ana = await client.signUp('ana');
    const devices = [ana.deviceId];
    for (let i = 0; i < 24; i++) devices.push((await client.signIn(ana.handle, ana.password, `Device ${i}`)).deviceId);
    const users: Session[] = [];
    const conversations: string[] = [];
    const messages: string[] = [];
    for (let i = 0; i < 25; i++) {
      const other = await client.signUp('other');
      users.push(other);
      const c = await client.ok('mutation($u: ID!) { openDirectConversation(userId: $u) { id } }', { u: other.userId }, ana.accessToken);
      conversations.push(c.openDirectConversation.id);
      const m = await client.ok(
        'mutation($c: ID!) { sendMessage(input: { conversationId: $c, text: "hello" }) { id } }',
        { c: c.openDirectConversation.id },
        other.accessToken,
      );
      messages.push(m.sendMessage.id);
    }
    return { ana, devices, users, conversations, messages };
  }

  /** How many database queries `query` costs the server, beyond a trivial authenticated query. */
  async function queriesFor(query: string, variables: Record<string, unknown>, token: string) {
    const { client, queries } = env;
    await client.ok('{ viewer { user { id } } }', {}, token); // the device's lastSeenAt is touched at most once a minute
    let before = queries();
    await client.ok('{ __typename }', {}, token);
    const baseline = queries() - before;
    before = queries();
    const data = await client.ok(query, variables, token);
    return { data, extra: queries() - before - baseline };
  }

  it('refuses nodes(ids:) with 101 ids as BAD_USER_INPUT naming `ids`, before running anything', async () => {
    const { client, queries } = env;
    const ana = await client.signUp('ana');
    const ids = Array.from({ length: 101 }, () => ana.userId);
    const before = queries();
    const r = await client.gql(NODES, { ids }, { token: ana.accessToken });
    expect(r.status).toBe(400);
    expect(r.data).toBeUndefined();
    expect(r.errors?.map((e) => [e.extensions?.code, e.extensions?.field])).toEqual([['BAD_USER_INPUT', 'ids']]);
    expect(queries() - before, 'only authenticating the request').toBeLessThanOrEqual(2);
    const literal = `{ nodes(ids: [${ids.map((id) => `"${id}"`).join(',')}]) { id } }`;
    expect((await client.gql(literal, {}, { token: ana.accessToken })).errors?.[0]?.extensions).toMatchObject({ field: 'ids' });
  });

  it('looks 100 ids of four types up with one query per type (two for messages), each as its type, only what you may see', async () => {
    const { client } = env;
    const { ana, devices, users, conversations, messages } = await seed(client);
    const stranger = await client.signUp('stranger');
    const theirs = await client.ok(
      'mutation($u: ID!) { openDirectConversation(userId: $u) { id } }',
      { u: ana.userId },
      stranger.accessToken,
    );
    const ids = [...devices, ...users.map((u) => u.userId), ...conversations, ...messages];
    expect(ids).toHaveLength(100);
    const hundred = await queriesFor(NODES, { ids }, ana.accessToken);
    expect(hundred.data.nodes.map((n: { __typename: string; id: string }) => n.id)).toEqual(ids);
    expect(new Set(hundred.data.nodes.map((n: { __typename: string }) => n.__typename))).toEqual(
      new Set(['Device', 'User', 'Conversation', 'Message']),
    );
    expect(hundred.extra, 'counted: at least one query per type').toBeGreaterThanOrEqual(4);
    expect(hundred.extra).toBeLessThanOrEqual(5);
    const four = await queriesFor(NODES, { ids: [devices[0], users[0]?.userId, conversations[0], messages[0]] }, ana.accessToken);
    expect(hundred.extra, 'as many queries for 100 ids as for 4').toBe(four.extra);

    // What the stranger may not see comes back null, in place: Ana's devices, conversations and messages.
    const asStranger = await client.ok(NODES, { ids: [devices[1], conversations[1], messages[1], ana.userId] }, stranger.accessToken);
    expect(asStranger.nodes.map((n: { id: string } | null) => n?.id ?? null)).toEqual([null, null, null, ana.userId]);
    const own = await client.ok(NODES, { ids: [theirs.openDirectConversation.id] }, stranger.accessToken);
    expect(own.nodes[0]).toMatchObject({ __typename: 'Conversation', viewerRole: 'MEMBER' });

    // node(id:) aliases share the same loaders.
    const aliased = `{ ${messages
      .slice(0, 20)
      .map((id, i) => `m${i}: node(id: "${id}") { id }`)
      .join(' ')} }`;
    const batched = await queriesFor(aliased, {}, ana.accessToken);
    expect(Object.values(batched.data).map((n) => (n as { id: string }).id)).toEqual(messages.slice(0, 20));
    expect(batched.extra).toBeLessThanOrEqual(2);
  });

  it('refuses 100 × 100 × 100 nested pages with QUERY_TOO_COMPLEX before running anything, page sizes in variables too', async () => {
    const { client, queries } = env;
    const ana = await client.signUp('ana');
    const nested = `query($n: Int) { viewer { conversations(first: $n) { edges { node {
      messages(last: $n) { edges { node { conversation { members(first: $n) { edges { node { id } } } } } } }
    } } } } }`;
    const before = queries();
    const r = await client.gql(nested, { n: 100 }, { token: ana.accessToken });
    expect(r.status).toBe(400);
    expect(r.data).toBeUndefined();
    expect(r.errors?.map((e) => e.extensions?.code)).toEqual(['QUERY_TOO_COMPLEX']);
    expect(r.errors?.[0]?.extensions?.cost).toBeGreaterThan(1_000_000);
    expect(queries() - before, 'only authenticating the request').toBeLessThanOrEqual(2);
    // Two nested pages of 100 are allowed.
    const two = await client.gql(
      '{ viewer { conversations(first: 100) { edges { node { members(first: 100) { edges { node { id } } } } } } } }',
      {},
      {
        token: ana.accessToken,
      },
    );
    expect(two.errors).toBeUndefined();
  });

  it('refuses a page over 100 with BAD_USER_INPUT on every connection, and a costly subscription at subscribe', async () => {
    const { client } = env;
    const { ana, conversations } = await seed(client);
    const pages = [
      '{ viewer { conversations(first: 101) { edges { cursor } } } }',
      '{ viewer { devices(last: 101) { edges { cursor } } } }',
      `{ conversation(id: "${conversations[0]}") { members(first: 101) { edges { cursor } } } }`,
      `{ conversation(id: "${conversations[0]}") { messages(last: 101) { edges { cursor } } } }`,
      `{ conversation(id: "${conversations[0]}") { segments(first: 101) { edges { cursor } } } }`,
      '{ changes(first: 101) { edges { cursor } } }',
    ];
    for (const page of pages) {
      const r = await client.gql(page, {}, { token: ana.accessToken });
      expect(
        r.errors?.map((e) => e.extensions?.code),
        page,
      ).toEqual(['BAD_USER_INPUT']);
      expect(r.errors?.[0]?.extensions?.field).toMatch(/^(first|last)$/);
    }
    // Two nested pages of 100 messages with their reactions (256 each at most): over 2.5 million.
    const heavy = `subscription { events { ... on ConversationUpdatedEvent { conversation { messages(last: 100) { edges { node {
      conversation { messages(last: 100) { edges { node { reactions { emoji } } } } } } } } } } } }`;
    const stream = await client.subscribe(heavy, ana.accessToken);
    try {
      const first = await stream.next();
      expect(first.data?.errors?.[0]?.extensions?.code).toBe('QUERY_TOO_COMPLEX');
    } finally {
      stream.close();
    }
  });
});

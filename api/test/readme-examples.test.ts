import { readdirSync, readFileSync } from 'node:fs';
import { limits } from '@mailboat/schema';
import {
  type ASTNode,
  type DocumentNode,
  type FieldNode,
  Kind,
  type OperationDefinitionNode,
  parse,
  print,
  type VariableDefinitionNode,
  visit,
} from 'graphql';
import { v7 as uuidv7 } from 'uuid';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../src/config.js';
import { phonePhoto, upload } from './attachments-harness.js';
import { type Session, type TestClient, testEnv, useTestApp } from './harness.js';
import { SyncDevice } from './sync-device.js';

/**
 * "An example in the README is a test." Every fenced ```graphql block of README.md and
 * docs/*.md (and every query a curl example posts), one operation at a time, runs against a
 * real app (PGlite) on data of its own (users, a direct and a group conversation, messages,
 * an edit, a reaction, receipts, a photo sent with a message and a file uploaded but not sent
 * yet), with the "…" placeholders and variables bound to that data
 * and every `first`/`last` at the documented most (limits.pageSize.max), under the
 * documented MAX_QUERY_COST. It must answer without errors, every top-level field non-null;
 * a subscription must deliver an event it selects, without errors.
 */

const root = new URL('../../', import.meta.url);
const documented = ['README.md', ...readdirSync(new URL('docs/', root)).flatMap((f) => (f.endsWith('.md') ? [`docs/${f}`] : []))];

type Example = { where: string; document: DocumentNode; operation: OperationDefinitionNode };

/**
 * Every operation of every ```graphql block, with the block's fragments, and every query a
 * curl example posts (`-d '{"query":…}'`); `where` is file:line.
 */
function examples(): Example[] {
  return documented.flatMap((file) => {
    const lines = readFileSync(new URL(file, root), 'utf8').split('\n');
    const found: Example[] = [];
    for (let i = 0; i < lines.length; i++) {
      const posted = /-d '(\{"query".*\})'/.exec(lines[i] ?? '')?.[1];
      if (posted) {
        const document = parse(JSON.parse(posted).query as string);
        const operation = document.definitions.find((d) => d.kind === Kind.OPERATION_DEFINITION);
        if (operation) found.push({ where: `${file}:${i + 1}`, document, operation });
      }
      if (lines[i]?.trim() !== '```graphql') continue;
      const end = lines.findIndex((l, j) => j > i && l.trim() === '```');
      const block = parse(lines.slice(i + 1, end).join('\n'));
      const fragments = block.definitions.filter((d) => d.kind === Kind.FRAGMENT_DEFINITION);
      for (const d of block.definitions) {
        if (d.kind !== Kind.OPERATION_DEFINITION) continue;
        const line = i + 2 + (d.loc?.startToken.line ?? 1) - 1;
        found.push({ where: `${file}:${line}`, operation: d, document: { kind: Kind.DOCUMENT, definitions: [d, ...fragments] } });
      }
      i = end;
    }
    return found;
  });
}

/** What the README's config table gives as MAX_QUERY_COST's default. */
function documentedMaxQueryCost(): number {
  const row = readFileSync(new URL('README.md', root), 'utf8')
    .split('\n')
    .find((l) => l.startsWith('|') && l.includes('`MAX_QUERY_COST`'));
  const names = row?.split('|')[1]?.split('/') ?? [];
  const values = row?.split('|')[2]?.split('/') ?? [];
  const at = names.findIndex((n) => n.includes('MAX_QUERY_COST'));
  return Number(values[at]?.replace(/[`,\s]/g, ''));
}

type World = {
  ana: Session;
  bo: Session;
  cy: Session;
  spareDeviceId: string;
  directId: string;
  groupId: string;
  messageId: string;
  segment: number;
  /** A file Ana uploaded into the group and has not sent yet ("att_…": completed, free for a message). */
  attachmentId: string;
};

/** Ana, Bo and Cy; Ana's spare device; a direct conversation and a group (Ana owns it, Bo is in it) with a history. */
async function seed(client: TestClient): Promise<World> {
  const [ana, bo, cy] = [await client.signUp('ana', 'Ana'), await client.signUp('bo', 'Bo'), await client.signUp('cy', 'Cy')];
  const spare = await client.signIn(ana.handle, ana.password, "Ana's tablet");
  const as = (s: Session) => (query: string, variables: Record<string, unknown>) => client.ok(query, variables, s.accessToken);
  const direct = await as(ana)('mutation($u: ID!) { openDirectConversation(userId: $u) { id } }', { u: bo.userId });
  const group = await as(ana)('mutation($i: CreateGroupConversationInput!) { createGroupConversation(input: $i) { id } }', {
    i: { title: 'Climbing', memberIds: [bo.userId] },
  });
  const groupId = group.createGroupConversation.id as string;
  const send = (s: Session, text: string) =>
    as(s)('mutation($c: ID!, $t: String!) { sendMessage(input: { conversationId: $c, text: $t }) { id segment } }', {
      c: groupId,
      t: text,
    });
  const sent = (await send(ana, 'Lunch at noon?')).sendMessage;
  await as(ana)('mutation($m: ID!) { editMessage(input: { messageId: $m, text: "Lunch at 1pm?" }) { id } }', { m: sent.id });
  const reply = (await send(bo, 'Sure')).sendMessage;
  await as(bo)('mutation($m: ID!) { reactToMessage(input: { messageId: $m, emoji: "👍" }) { id } }', { m: sent.id });
  await as(bo)('mutation($c: ID!, $m: ID!) { markRead(conversationId: $c, upTo: $m) { changed } }', { c: groupId, m: reply.id });
  await send(ana, 'See you there');
  // A photo with a caption (the message's attachments), and a file uploaded but not sent yet.
  const photo = await upload(client, ana, groupId, await phonePhoto(), 'beach.jpg');
  await as(ana)('mutation($c: ID!, $a: [ID!]) { sendMessage(input: { conversationId: $c, text: "Look!", attachmentIds: $a }) { id } }', {
    c: groupId,
    a: [photo.globalId],
  });
  const unsent = await upload(client, ana, groupId, new TextEncoder().encode('Rope, chalk, shoes\n'), 'packing-list.txt');
  return {
    ana,
    bo,
    cy,
    spareDeviceId: spare.deviceId,
    directId: direct.openDirectConversation.id,
    groupId,
    messageId: sent.id,
    segment: sent.segment,
    attachmentId: unsent.globalId,
  };
}

/** The nearest argument or input field name, and the nearest field name, above a node (`parent` and its ancestors). */
function placeOf(parent: unknown, ancestors: readonly (ASTNode | readonly ASTNode[])[]): { name?: string; field?: string } {
  const nodes = [...ancestors, parent as ASTNode].filter((a): a is ASTNode => !!a && !Array.isArray(a)).reverse();
  const named = nodes.find((a) => a.kind === Kind.ARGUMENT || a.kind === Kind.OBJECT_FIELD) as { name: { value: string } } | undefined;
  const field = nodes.find((a) => a.kind === Kind.FIELD) as FieldNode | undefined;
  return { name: named?.name.value, field: field?.name.value };
}

/**
 * The world's value for a "usr_…"-style placeholder, or for a handle (the world's own, as
 * handles are unique; the example's must be a valid handle itself), by where it stands.
 */
function placeholder(world: World, value: string, place: { name?: string; field?: string }): string | undefined {
  if (place.name === 'handle') {
    const { min, max, pattern } = limits.handle;
    expect(value.length >= min && value.length <= max && pattern.test(value), `"${value}" is a valid handle`).toBe(true);
    return place.field === 'userByHandle' ? world.bo.handle : `ana_${uuidv7().slice(-8)}`;
  }
  if (!value.endsWith('…')) return undefined;
  if (value.startsWith('usr_')) return place.name === 'userIds' ? world.cy.userId : world.bo.userId;
  if (value.startsWith('cnv_')) return world.groupId;
  if (value.startsWith('msg_')) return world.messageId;
  if (value.startsWith('dev_')) return world.spareDeviceId;
  if (value.startsWith('att_')) return world.attachmentId;
  throw new Error(`no value for the placeholder ${value}`);
}

/** A value for variable `$name`, by its name or by the argument it is passed to. */
function variable(world: World, name: string, place: { name?: string; field?: string }, device: SyncDevice): unknown {
  const b64 = (bytes: Uint8Array) => Buffer.from(bytes).toString('base64');
  if (name === 'before' || name === 'after') return undefined; // the first page
  if (pageArgument(place.name)) return limits.pageSize.max;
  if (place.field === 'node' && place.name === 'id') return world.messageId;
  if (place.field === 'conversation' && place.name === 'id') return world.groupId;
  if (name === 'conversationId') return world.groupId;
  if (name === 'clientMessageId' || name === 'clientAttachmentId') return uuidv7();
  if (name === 'segments') return [{ conversationId: world.groupId, segment: world.segment }];
  if (name === 'updates') {
    const { segment } = device.send(world.groupId, 'Written on a Yjs device');
    return device.outbox.splice(0).map((p) => ({ conversationId: world.groupId, segment, update: b64(p.update) }));
  }
  throw new Error(`no value for the variable $${name} (passed to ${place.field}(${place.name}:))`);
}

const pageArgument = (name: string | undefined) => name === 'first' || name === 'last';

/** The example with its placeholders bound to `world`, its page sizes at the maximum, and its variables. */
function bind(example: Example, world: World, device: SyncDevice): { query: string; variables: Record<string, unknown> } {
  const variables: Record<string, unknown> = {};
  const definitions = new Map(
    (example.operation.variableDefinitions ?? []).map((d: VariableDefinitionNode) => [d.variable.name.value, d] as const),
  );
  const bound = visit(example.document, {
    StringValue(node, _key, parent, _path, ancestors) {
      const value = placeholder(world, node.value, placeOf(parent, ancestors));
      return value === undefined ? undefined : { ...node, value };
    },
    IntValue(node, _key, parent, _path, ancestors) {
      return pageArgument(placeOf(parent, ancestors).name) ? { ...node, value: String(limits.pageSize.max) } : undefined;
    },
    Variable(node, _key, parent, _path, ancestors) {
      const name = node.name.value;
      if ((parent as ASTNode | undefined)?.kind === Kind.VARIABLE_DEFINITION || !definitions.has(name) || name in variables) return;
      variables[name] = variable(world, name, placeOf(parent, ancestors), device);
    },
  });
  return { query: print(bound), variables };
}

const all = examples();
const MAX_QUERY_COST = documentedMaxQueryCost();

describe('the GraphQL examples of README.md and docs/', () => {
  it('are found: every ```graphql block parses, and there are examples of queries, mutations and subscriptions', () => {
    expect(all.length).toBeGreaterThanOrEqual(25);
    expect(new Set(all.map((e) => e.operation.operation))).toEqual(new Set(['query', 'mutation', 'subscription']));
  });

  it("run under the README's MAX_QUERY_COST, which is the configured default", () => {
    expect(MAX_QUERY_COST).toBeGreaterThan(0);
    expect(loadConfig(testEnv()).maxQueryCost).toBe(MAX_QUERY_COST);
  });

  const app = useTestApp('pglite', { MAX_QUERY_COST: String(MAX_QUERY_COST) });

  it.each(all.map((e) => [e.where, e] as const))('%s runs with real data at the documented maximum page sizes', async (_where, example) => {
    const { client } = app();
    const world = await seed(client);
    const { query, variables } = bind(example, world, new SyncDevice(client, world.ana));
    expect(query, 'every placeholder bound').not.toContain('…');
    expect(query, 'every page at the most').not.toMatch(new RegExp(`\\b(first|last): (?!${limits.pageSize.max}\\b)\\d+`));
    if (example.operation.operation === 'subscription') {
      const stream = await client.subscribe(query, world.ana.accessToken);
      try {
        const sent = await client.ok(
          'mutation($c: ID!) { sendMessage(input: { conversationId: $c, text: "Poke" }) { id } }',
          { c: world.groupId },
          world.bo.accessToken,
        );
        await client.ok(
          'mutation($c: ID!, $m: ID!) { markRead(conversationId: $c, upTo: $m) { changed } }',
          { c: world.groupId, m: sent.sendMessage.id },
          world.bo.accessToken,
        );
        // Events the example does not select arrive empty; read on to one it does.
        for (;;) {
          const message = await stream.next();
          expect(message.event, 'the stream stays open').not.toBe('end');
          expect(message.data?.errors, JSON.stringify(message.data)).toBeUndefined();
          if (Object.keys(message.data?.data?.events ?? {}).length > 0) break;
        }
      } finally {
        stream.close();
      }
      return;
    }
    const r = await client.gql(query, variables, { token: world.ana.accessToken });
    expect(r.errors, `${query}\n${JSON.stringify(variables)}`).toBeUndefined();
    expect(r.status).toBe(200);
    for (const [field, value] of Object.entries(r.data ?? {})) expect(value, `${field} answered`).not.toBeNull();
  });
});

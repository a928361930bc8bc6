import { readFileSync } from 'node:fs';
import {
  buildSchema,
  type GraphQLArgument,
  type GraphQLField,
  type GraphQLInputType,
  type GraphQLNamedType,
  type GraphQLObjectType,
  getNamedType,
  getNullableType,
  isEnumType,
  isInputObjectType,
  isListType,
  isObjectType,
  isScalarType,
} from 'graphql';
import { v7 as uuidv7 } from 'uuid';
import { describe, expect, it } from 'vitest';
import { type Session, useTestApp } from './harness.js';

/**
 * A schema-driven fuzz of the API's inputs: for every argument of every field in the SDL
 * (root fields, input object fields, and the arguments of fields on the objects a client
 * reaches: Viewer, Conversation, Message, User, Device), each value of a table of hostile
 * values for its type is sent while every other argument holds a valid value. Whatever the
 * value, the answer must be a typed refusal or a result: never a 5xx, never an
 * INTERNAL_SERVER_ERROR.
 */

const SDL = readFileSync(new URL('../../schema/schema.graphql', import.meta.url), 'utf8');
const schema = buildSchema(SDL);

const MB = 'x'.repeat(1_000_000);
const STRINGS = [
  '',
  'a\u0000b',
  '\u0007\u001b[31m',
  'a\u0085b',
  '\u202egnp.exe',
  '\u2066x\u2069',
  '\ud800',
  'x\udc00',
  '\u200b\u200b',
  MB,
  '𝔘𝔫𝔦𝔠𝔬𝔡𝔢 🇫🇷',
];
const INTS = [-1, 0, -2_147_483_648, 2_147_483_647, 2 ** 31, 1e308, 1.5, '7', null];
const IDS = ['', 'cnv_', 'msg_zz', 'usr_0000', 'a\u0000', `msg_${'f'.repeat(5000)}`, '0000-01-01', '../../etc/passwd', 42];
const DATES = ['0000-01-01T00:00:00Z', '+275760-09-13T00:00:00.000Z', '2026-13-45T99:99:99Z', 'yesterday', -1];
const BYTES = ['***', '', 'AA', '=', 'A'.repeat(400_000)];
const BOOLEANS = ['true', 0, null];

/** Hostile values for an input of `type`: wrong types and values outside what the API takes. */
function hostile(type: GraphQLInputType): unknown[] {
  const nullable = getNullableType(type);
  if (isListType(nullable)) {
    const item = valid(nullable.ofType as GraphQLInputType);
    return [[], new Array(10_000).fill(item), 'not a list', [null]];
  }
  const named = getNamedType(type) as GraphQLNamedType;
  if (isEnumType(named)) return ['NOT_A_VALUE', 1, ''];
  if (isInputObjectType(named)) return [{}, 'not an object', { unknownField: 1 }];
  switch (named.name) {
    case 'String':
      return [...STRINGS, 5];
    case 'Int':
      return INTS;
    case 'ID':
      return IDS;
    case 'DateTime':
      return DATES;
    case 'Bytes':
      return BYTES;
    case 'Boolean':
      return BOOLEANS;
    default:
      return ['', null, {}];
  }
}

/** The world the valid values come from (filled in before the fuzz runs). */
const world = {
  conversationId: '',
  messageId: '',
  userId: '',
  deviceId: '',
  handle: '',
};

/** A valid-looking value for an argument (by name, then by type), so the hostile one is what gets judged. */
function valid(type: GraphQLInputType, name = ''): unknown {
  const nullable = getNullableType(type);
  if (isListType(nullable)) return [valid(nullable.ofType as GraphQLInputType, name)];
  const named = getNamedType(type) as GraphQLNamedType;
  if (isEnumType(named)) return named.getValues()[0]?.value;
  if (isInputObjectType(named)) {
    const out: Record<string, unknown> = {};
    for (const field of Object.values(named.getFields())) out[field.name] = valid(field.type, field.name);
    return out;
  }
  if (/conversation/i.test(name)) return world.conversationId;
  if (/^(messageId|upTo|replyTo|id)$/.test(name)) return world.messageId;
  if (/clientMessageId/.test(name)) return uuidv7();
  if (/user|member/i.test(name)) return world.userId;
  if (/handle/.test(name)) return world.handle;
  if (/password/.test(name)) return 'correct horse battery';
  if (/emoji/.test(name)) return '👍';
  if (/segment/.test(name)) return Math.floor(Date.now() / 3_600_000);
  switch (named.name) {
    case 'Int':
      return 10;
    case 'Boolean':
      return true;
    case 'DateTime':
      return new Date().toISOString();
    case 'Bytes':
      return 'AA==';
    case 'ID':
      return world.messageId;
    default:
      return 'fine text';
  }
}

type Case = { name: string; query: string; variables: Record<string, unknown> };

/** Selection that asks for no more than the type name (so the answer's shape never matters). */
const selectionOf = (field: GraphQLField<unknown, unknown>) =>
  isScalarType(getNamedType(field.type)) || isEnumType(getNamedType(field.type)) ? '' : ' { __typename }';

/**
 * Wraps a field selection of an object type into a query reaching that object with valid
 * values; undefined for types no entry point reaches.
 */
const ENTRY: Record<string, (inner: string) => { query: string; variables: Record<string, unknown> }> = {
  Query: (inner) => ({ query: `query Q(VARS) { ${inner} }`, variables: {} }),
  Mutation: (inner) => ({ query: `mutation M(VARS) { ${inner} }`, variables: {} }),
  Viewer: (inner) => ({ query: `query Q(VARS) { viewer { ${inner} } }`, variables: {} }),
  Conversation: (inner) => ({
    query: `query Q($entry: ID! VARS) { conversation(id: $entry) { ${inner} } }`,
    variables: { entry: world.conversationId },
  }),
  Message: (inner) => ({
    query: `query Q($entry: ID! VARS) { node(id: $entry) { ... on Message { ${inner} } } }`,
    variables: { entry: world.messageId },
  }),
  User: (inner) => ({ query: `query Q(VARS) { viewer { user { ${inner} } } }`, variables: {} }),
  Device: (inner) => ({ query: `query Q(VARS) { viewer { device { ${inner} } } }`, variables: {} }),
};

/** Every (field, argument or input field, hostile value) case the SDL holds, for the types with an entry point. */
function cases(): { cases: Case[]; unreached: string[] } {
  const out: Case[] = [];
  const unreached: string[] = [];
  for (const type of Object.values(schema.getTypeMap())) {
    if (!isObjectType(type) || type.name.startsWith('__')) continue;
    for (const field of Object.values((type as GraphQLObjectType).getFields())) {
      if (field.args.length === 0) continue;
      const entry = ENTRY[type.name];
      if (!entry) {
        unreached.push(`${type.name}.${field.name}`);
        continue;
      }
      for (const target of field.args) {
        for (const [path, values] of targets(target)) {
          for (const [i, value] of values.entries()) {
            const variables: Record<string, unknown> = {};
            for (const arg of field.args) variables[`a_${arg.name}`] = arg === target ? path(value) : valid(arg.type, arg.name);
            const declared = field.args.map((a) => `$a_${a.name}: ${String(a.type)}`).join(' ');
            const call = `${field.name}(${field.args.map((a) => `${a.name}: $a_${a.name}`).join(', ')})${selectionOf(field)}`;
            const wrapped = entry(call);
            out.push({
              name: `${type.name}.${field.name}(${target.name}${path.label}) #${i}`,
              query: wrapped.query.replace('VARS', declared),
              variables: { ...wrapped.variables, ...variables },
            });
          }
        }
      }
    }
  }
  return { cases: out, unreached };
}

type Target = ((value: unknown) => unknown) & { label: string };

/** The argument itself, and (for an input object) each of its fields, each with its hostile values. */
function targets(arg: GraphQLArgument): [Target, unknown[]][] {
  const whole = Object.assign((v: unknown) => v, { label: '' });
  const out: [Target, unknown[]][] = [[whole, hostile(arg.type)]];
  const named = getNamedType(arg.type);
  if (isInputObjectType(named)) {
    const base = valid(arg.type, arg.name) as Record<string, unknown> | Record<string, unknown>[];
    for (const field of Object.values(named.getFields())) {
      const set = Object.assign((v: unknown) => (Array.isArray(base) ? [{ ...base[0], [field.name]: v }] : { ...base, [field.name]: v }), {
        label: `.${field.name}`,
      });
      out.push([set, hostile(field.type)]);
    }
  }
  return out;
}

describe('every argument in the SDL, given hostile values', () => {
  const app = useTestApp('pglite');

  it('answers each with a result or a typed refusal, never a server error', async () => {
    const { client } = app();
    const { ana, bo, conversationId } = await client.directPair();
    const sent = await client.ok(
      'mutation($i: SendMessageInput!) { sendMessage(input: $i) { id } }',
      { i: { conversationId, text: 'the fuzz starts here' } },
      ana.accessToken,
    );
    Object.assign(world, { conversationId, messageId: sent.sendMessage.id, userId: bo.userId, deviceId: ana.deviceId, handle: bo.handle });
    const { cases: all, unreached } = cases();
    expect(unreached, 'fields with arguments no entry point reaches').toEqual([]);
    expect(all.length).toBeGreaterThan(500);
    let session: Session = ana;
    const failures: string[] = [];
    for (const c of all) {
      const res = await client.request('/graphql', {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          accept: 'application/graphql-response+json',
          authorization: `Bearer ${session.accessToken}`,
        },
        body: JSON.stringify({ query: c.query, variables: c.variables }),
      });
      const text = await res.text();
      if (res.status >= 500 || text.includes('INTERNAL_SERVER_ERROR')) failures.push(`${c.name}: ${res.status} ${text.slice(0, 200)}`);
      // A case that signed the device out (revokeDevice, a valid own id) gets a fresh session for the next ones.
      if (text.includes('DEVICE_REVOKED') || text.includes('UNAUTHENTICATED')) session = await client.signIn(ana.handle, ana.password);
    }
    expect(failures).toEqual([]);
  }, 600_000);

  it('answers hostile REST parameters and refresh bodies with typed refusals too', async () => {
    const { client } = app();
    const ana = await client.signUp('rest');
    const values = [...STRINGS.filter((v) => v.length < 10_000), ...DATES.map(String), '-1', '0', '999999999999', '%00', '1e400'];
    const failures: string[] = [];
    for (const param of ['since', 'limit', 'cursor']) {
      for (const value of values) {
        const encoded = /[\ud800-\udfff]/.test(value) ? '%ED%A0%80' : encodeURIComponent(value); // a lone surrogate, as raw bytes
        const res = await client.request(`/sync/messages?${param}=${encoded}`, {
          headers: { authorization: `Bearer ${ana.accessToken}` },
        });
        if (res.status >= 500) failures.push(`/sync/messages ${param}=${JSON.stringify(value)}: ${res.status}`);
      }
    }
    for (const body of [...values.map((v) => JSON.stringify({ refreshToken: v })), '{', 'null', '[]', '{"refreshToken": 5}']) {
      const res = await client.request('/auth/refresh', { method: 'POST', headers: { 'content-type': 'application/json' }, body });
      if (res.status >= 500) failures.push(`/auth/refresh ${body.slice(0, 40)}: ${res.status}`);
    }
    expect(failures).toEqual([]);
  });
});

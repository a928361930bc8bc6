import { limits } from '@mailboat/schema';
import SchemaBuilder from '@pothos/core';
import RelayPlugin from '@pothos/plugin-relay';
import { Kind } from 'graphql';
import { badInput } from '../errors.js';
import { decodeGlobalId, encodeNodeId } from '../global-ids.js';
import type { Context } from './context.js';
import { loadNodes } from './loaders.js';

/** The one Pothos builder; every type registers itself on it from its own file. */
export const builder = new SchemaBuilder<{
  Context: Context;
  Scalars: { DateTime: { Input: Date; Output: Date }; Bytes: { Input: Uint8Array; Output: Uint8Array } };
  DefaultFieldNullability: false;
  DefaultEdgesNullability: false;
  DefaultNodeNullability: false;
}>({
  plugins: [RelayPlugin],
  defaultFieldNullability: false,
  relay: {
    clientMutationId: 'omit',
    cursorType: 'String',
    edgesFieldOptions: { nullable: false },
    nodeFieldOptions: { nullable: false },
    encodeGlobalID: encodeNodeId,
    decodeGlobalID: decodeGlobalId,
    // node and nodes look up through the request's loaders: one query per type, however many IDs.
    nodeQueryOptions: {
      description: 'The object with this ID, or null when it does not exist or you may not see it.',
      resolve: async (_, { id }, ctx) => (await loadNodes(ctx.loaders, ctx.viewer, [id]))[0],
    },
    nodesQueryOptions: {
      description: `The objects with these IDs, in order, each null when it does not exist or you may not see it. At most ${limits.pageSize.max} IDs (more is BAD_USER_INPUT).`,
      resolve: (_, { ids }, ctx) => {
        if (ids.length > limits.pageSize.max) throw badInput('ids', `\`ids\` holds at most ${limits.pageSize.max} items`);
        return loadNodes(ctx.loaders, ctx.viewer, ids);
      },
    },
  },
});

builder.queryType({});
builder.mutationType({});
builder.subscriptionType({});

builder.scalarType('DateTime', {
  description: 'An instant as an ISO 8601 string in UTC with milliseconds, e.g. "2026-11-22T10:15:30.000Z".',
  serialize: (value) => value.toISOString(),
  parseValue: (value) => {
    const date = typeof value === 'string' ? new Date(value) : new Date(Number.NaN);
    if (Number.isNaN(date.getTime())) throw badInput('DateTime', 'Expected an ISO 8601 date-time string');
    return date;
  },
  parseLiteral: (ast) => {
    const date = ast.kind === Kind.STRING ? new Date(ast.value) : new Date(Number.NaN);
    if (Number.isNaN(date.getTime())) throw badInput('DateTime', 'Expected an ISO 8601 date-time string');
    return date;
  },
});

builder.scalarType('Bytes', {
  description: 'Binary data (a Yjs update or state vector) as standard base64 with padding.',
  serialize: (value) => Buffer.from(value).toString('base64'),
  parseValue: (value) => parseBytes(value),
  parseLiteral: (ast) => parseBytes(ast.kind === Kind.STRING ? ast.value : undefined),
});

function parseBytes(value: unknown): Uint8Array {
  if (typeof value !== 'string' || !/^[A-Za-z0-9+/]*={0,2}$/.test(value) || value.length % 4 !== 0) {
    throw badInput('Bytes', 'Expected base64');
  }
  return new Uint8Array(Buffer.from(value, 'base64'));
}

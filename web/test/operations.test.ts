import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { limits } from '@mailboat/schema';
import {
  buildSchema,
  type DocumentNode,
  type GraphQLInputType,
  getNamedType,
  getNullableType,
  isEnumType,
  isInputObjectType,
  isListType,
  isNonNullType,
  Kind,
  parse,
  print,
  typeFromAST,
  validate,
} from 'graphql';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../api/src/config.js';
import { queryCost } from '../../api/src/http/query-cost.js';
import { listArgumentCaps } from '../../api/src/http/query-cost-rules.js';
import * as operations from '../src/sync/operations.js';

const require = createRequire(import.meta.url);
const schema = buildSchema(readFileSync(require.resolve('@mailboat/schema/schema.graphql'), 'utf8'));

/** Every operation operations.ts exports (fragments are checked inside them), as the text sent. */
const documents = Object.entries(operations as Record<string, unknown>).flatMap(([name, value]): [string, string][] => {
  const definitions = (value as DocumentNode | undefined)?.definitions;
  return definitions?.[0]?.kind === Kind.OPERATION_DEFINITION ? [[name, print(value as DocumentNode)]] : [];
});

/**
 * Every document the app and its service worker send is valid against the committed API
 * contract. Writes queued on a device wait, maybe for days, to be pushed with PUSH_UPDATES by
 * whichever version of the app or worker runs next: a change to the API that broke these
 * documents would strand them, so it fails here first.
 */
describe('the documents the client sends', () => {
  it('are all checked', () => {
    expect(documents.map(([name]) => name)).toEqual(expect.arrayContaining(['PUSH_UPDATES', 'SIGN_IN', 'EVENTS']));
  });

  it.each(documents)('%s is valid against schema/schema.graphql', (_name, source) => {
    expect(validate(schema, parse(source)).map((e) => e.message)).toEqual([]);
  });
});

/**
 * The largest variables an operation can be sent with: every page size at its maximum, every
 * list as long as the API allows (its cap, else a page), every input object with all its
 * fields. Only the shape matters: the schema is built from the SDL, so scalars take any value.
 */
function largest(type: GraphQLInputType, name: string): unknown {
  const nullable = getNullableType(type);
  if (isListType(nullable)) {
    const cap = Object.entries(listArgumentCaps).find(([coordinate]) => coordinate.endsWith(`.${name}`))?.[1] ?? limits.pageSize.max;
    return Array.from({ length: cap }, () => largest(nullable.ofType as GraphQLInputType, name));
  }
  const named = getNamedType(type);
  if (isEnumType(named)) return named.getValues()[0]?.value;
  if (isInputObjectType(named)) {
    return Object.fromEntries(Object.values(named.getFields()).map((f) => [f.name, largest(f.type, f.name)]));
  }
  if (named.name === 'Int') return /^(first|last)$/.test(name) ? limits.pageSize.max : 1;
  if (named.name === 'Boolean') return true;
  return 'x';
}

describe('the documents the client sends, at their largest', () => {
  const maxCost = loadConfig({ DATA_DIR: '/tmp/mailboat-operations-test' }).maxQueryCost;

  it.each(documents)('%s costs no more than the default MAX_QUERY_COST', (_name, source) => {
    const document = parse(source);
    const operation = document.definitions.find((d) => d.kind === 'OperationDefinition');
    const variables: Record<string, unknown> = {};
    for (const v of operation?.kind === 'OperationDefinition' ? (operation.variableDefinitions ?? []) : []) {
      const type = typeFromAST(schema, v.type) as GraphQLInputType;
      if (isNonNullType(type) || /^(first|last)$/.test(v.variable.name.value))
        variables[v.variable.name.value] = largest(type, v.variable.name.value);
    }
    const cost = queryCost(schema, document, undefined, variables);
    expect(cost).toBeGreaterThan(0);
    expect(cost).toBeLessThanOrEqual(maxCost);
  });
});

import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { buildSchema, parse, validate } from 'graphql';
import { describe, expect, it } from 'vitest';
import * as operations from '../src/sync/operations.js';

const require = createRequire(import.meta.url);
const schema = buildSchema(readFileSync(require.resolve('@mailboat/schema/schema.graphql'), 'utf8'));

/**
 * Every document the app and its service worker send is valid against the committed API
 * contract. Writes queued on a device wait, maybe for days, to be pushed with PUSH_UPDATES by
 * whichever version of the app or worker runs next: a change to the API that broke these
 * documents would strand them, so it fails here first.
 */
describe('the documents the client sends', () => {
  const documents = Object.entries(operations as Record<string, unknown>).filter(
    (e): e is [string, string] => typeof e[1] === 'string' && /^\s*(query|mutation|subscription)\b/.test(e[1]),
  );

  it('are all checked', () => {
    expect(documents.map(([name]) => name)).toContain('PUSH_UPDATES');
  });

  it.each(documents)('%s is valid against schema/schema.graphql', (_name, source) => {
    expect(validate(schema, parse(source)).map((e) => e.message)).toEqual([]);
  });
});

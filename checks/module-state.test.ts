import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { root } from './depcruise.js';

/**
 * Long-lived parts of the API are built in createApp and carried on AppDeps, never kept in
 * module variables (docs/architecture.md, "A long-lived part"). This finds module-level
 * mutable state: a top-level `let`, or a top-level Map / WeakMap / Set made empty to be
 * filled later (one made from a list is a constant lookup).
 */
const moduleState = /^(let |(export )?const \w+ = new (Weak)?(Map|Set)(<.*>)?\(\))/;

/** The few that are not per-app state, each with why. */
const allowed: Record<string, string> = {
  'api/src/graphql/schema.ts': 'the GraphQL schema, built once and immutable (Pothos builders are module singletons by design)',
  'api/src/http/request-ids.ts': "each request's id, keyed by the request object itself",
  'schema/src/doc/check-result.ts': 'the judgement of each check result, keyed by the result object itself',
  'api/src/attachments/images.ts':
    "one image at a time, and sharp's decoders limited once: libvips and sharp's settings are process-wide, whatever app runs",
};

function sourceFiles(folder: string): string[] {
  return readdirSync(join(root, folder), { recursive: true, encoding: 'utf8' })
    .filter((f) => /\.tsx?$/.test(f) && !f.endsWith('.d.ts'))
    .map((f) => join(folder, f));
}

function modulesWithState(folders: string[]): string[] {
  return folders
    .flatMap(sourceFiles)
    .filter((file) =>
      readFileSync(join(root, file), 'utf8')
        .split('\n')
        .some((line) => moduleState.test(line)),
    )
    .map((file) => relative(root, join(root, file)));
}

describe('module-level state', () => {
  it('the API and the contract keep none but the allowed few', () => {
    expect(modulesWithState(['api/src', 'schema/src']).filter((file) => !(file in allowed))).toEqual([]);
  });

  it('is found where it exists (every allowed file still holds some)', () => {
    const found = modulesWithState(['api/src', 'schema/src']);
    expect(Object.keys(allowed).filter((file) => !found.includes(file))).toEqual([]);
  });
});

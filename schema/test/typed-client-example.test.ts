import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { buildSchema, parse, validate } from 'graphql';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

/**
 * examples/typed-client is what a frontend team copies to type its queries against Mailboat
 * with gql.tada and the committed introspection (src/graphql-env.d.ts). It compiles as it
 * stands, its document is valid against schema/schema.graphql, a misspelled field is a
 * compile error that names it, and the README shows it verbatim.
 */

const exampleDir = fileURLToPath(new URL('../../examples/typed-client/', import.meta.url));
const examplePath = `${exampleDir}conversations.ts`;
const example = readFileSync(examplePath, 'utf8');

/** The type errors of the example's project (its own tsconfig) with `fileName`, in the example's folder, holding `text`. */
function typeErrors(fileName: string, text: string): string[] {
  const config = ts.getParsedCommandLineOfConfigFile(`${exampleDir}tsconfig.json`, undefined, {
    ...ts.sys,
    onUnRecoverableConfigFileDiagnostic: (d) => {
      throw new Error(ts.flattenDiagnosticMessageText(d.messageText, '\n'));
    },
  });
  if (!config) throw new Error('examples/typed-client/tsconfig.json could not be read');
  const host = ts.createCompilerHost(config.options);
  const { getSourceFile, fileExists } = host;
  host.fileExists = (f) => f === fileName || fileExists(f);
  host.getSourceFile = (f, version, ...rest) =>
    f === fileName ? ts.createSourceFile(f, text, version) : getSourceFile(f, version, ...rest);
  const program = ts.createProgram([fileName], config.options, host);
  return ts.getPreEmitDiagnostics(program).map((d) => ts.flattenDiagnosticMessageText(d.messageText, '\n'));
}

describe('the typed client example (examples/typed-client)', () => {
  it('compiles with no errors', { timeout: 60_000 }, () => {
    expect(typeErrors(examplePath, example)).toEqual([]);
  });

  it('sends a document valid against schema/schema.graphql', () => {
    const schema = buildSchema(readFileSync(new URL('../schema.graphql', import.meta.url), 'utf8'));
    const source = /graphql\(`([^`]*)`\)/.exec(example)?.[1];
    expect(source).toBeDefined();
    expect(validate(schema, parse(source ?? '')).map((e) => e.message)).toEqual([]);
  });

  it('does not compile with a misspelled field, and the error names it', { timeout: 60_000 }, () => {
    const misspelled = example.replace(/(\{ id title )unreadCount/, '$1unreadCont');
    expect(misspelled).not.toBe(example);
    const errors = typeErrors(`${exampleDir}misspelled.ts`, misspelled);
    expect(errors).not.toEqual([]);
    expect(errors.join('\n')).toContain("'unreadCont'");
  });

  it('is shown verbatim in the README ("Typed queries from your app")', () => {
    const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
    const section = readme.slice(readme.indexOf('## Typed queries from your app'));
    const block = /```ts\n([\s\S]*?)```/.exec(section)?.[1];
    expect(block).toBe(example);
  });
});

import { readFileSync } from 'node:fs';
import { ErrorCode } from '@mailboat/schema';
import { describe, expect, it } from 'vitest';
import { graphqlEnvFilePath, printGraphqlEnvFile, printSchemaFile, schemaFilePath } from '../src/graphql/print.js';

describe('the committed GraphQL contract', () => {
  it('matches the schema the server builds (run `npm run schema:print` after changing the API)', () => {
    expect(readFileSync(schemaFilePath, 'utf8')).toBe(printSchemaFile());
  });

  it("types the client's documents from the committed SDL (run `npm run schema:print`)", () => {
    expect(readFileSync(graphqlEnvFilePath, 'utf8')).toBe(printGraphqlEnvFile(readFileSync(schemaFilePath, 'utf8')));
  });

  it("names every error code in the README's Errors section", () => {
    const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
    const section = readme.slice(readme.indexOf('### Errors'), readme.indexOf('\n### ', readme.indexOf('### Errors') + 1));
    expect(Object.values(ErrorCode).filter((code) => !section.includes(`\`${code}\``))).toEqual([]);
  });
});

import { fileURLToPath } from 'node:url';
import { lexicographicSortSchema, printSchema } from 'graphql';
import { buildSchema } from './schema.js';

/** Where the committed contract lives. */
export const schemaFilePath = fileURLToPath(new URL('../../../schema/schema.graphql', import.meta.url));

/** The SDL as committed: a header, then the sorted schema. */
export function printSchemaFile(): string {
  return `# Generated from the Pothos schema in api/src/graphql by \`npm run schema:print\`. Do not edit.\n\n${printSchema(lexicographicSortSchema(buildSchema()))}\n`;
}

import { fileURLToPath } from 'node:url';
import { minifyIntrospection, outputIntrospectionFile } from 'gql.tada/internal';
import { buildSchema as buildSchemaFromSdl, introspectionFromSchema, lexicographicSortSchema, printSchema } from 'graphql';
import { buildSchema } from './schema.js';

/** Where the committed contract lives. */
export const schemaFilePath = fileURLToPath(new URL('../../../schema/schema.graphql', import.meta.url));

/** The SDL as committed: a header, then the sorted schema. */
export function printSchemaFile(): string {
  return `# Generated from the Pothos schema in api/src/graphql by \`npm run schema:print\`. Do not edit.\n\n${printSchema(lexicographicSortSchema(buildSchema()))}\n`;
}

/** Where the client's GraphQL types live: the introspection gql.tada infers documents from (@mailboat/schema/graphql). */
export const graphqlEnvFilePath = fileURLToPath(new URL('../../../schema/src/graphql-env.d.ts', import.meta.url));

/**
 * The introspection type of `sdl` (the committed schema/schema.graphql) as gql.tada reads it,
 * preprocessed for fast type checking. Named, so it declares no global gql.tada schema: only
 * the `graphql` that @mailboat/schema/graphql makes with it is typed by it.
 */
export function printGraphqlEnvFile(sdl: string): string {
  const introspection = { ...minifyIntrospection(introspectionFromSchema(buildSchemaFromSdl(sdl))), name: 'mailboat' };
  return outputIntrospectionFile(introspection, {
    fileType: '.d.ts',
    shouldPreprocess: true,
    preamble: '// Generated from schema/schema.graphql by `npm run schema:print` (gql.tada). Do not edit.\n',
  });
}

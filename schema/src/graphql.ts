import { initGraphQLTada } from 'gql.tada';
import type { introspection } from './graphql-env.js';

/**
 * Mailboat's GraphQL documents, typed from the committed contract (schema/schema.graphql,
 * through graphql-env.d.ts, which `npm run schema:print` regenerates): `graphql(source,
 * fragments?)` returns a document whose result and variables types are inferred from the
 * source, so a field the schema lacks or renames is a compile error where it is selected or
 * read. Custom scalars are typed as they travel in JSON: DateTime and Bytes are strings
 * (ISO 8601 UTC, and standard base64). Fragments are not masked: a spread's fields are part
 * of the result that spreads it.
 */
export const graphql = initGraphQLTada<{
  introspection: introspection;
  scalars: { DateTime: string; Bytes: string };
  disableMasking: true;
}>();

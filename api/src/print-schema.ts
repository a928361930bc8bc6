import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { graphqlEnvFilePath, printGraphqlEnvFile, printSchemaFile, schemaFilePath } from './graphql/print.js';

/** Regenerates schema/schema.graphql from the Pothos schema, then the client's GraphQL types from it. */
const sdl = printSchemaFile();
writeFileSync(schemaFilePath, sdl);
console.log(`Wrote ${fileURLToPath(new URL(`file://${schemaFilePath}`))}`);
writeFileSync(graphqlEnvFilePath, printGraphqlEnvFile(sdl));
console.log(`Wrote ${graphqlEnvFilePath}`);

import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { printSchemaFile, schemaFilePath } from './graphql/print.js';

/** Regenerates schema/schema.graphql from the Pothos schema. */
writeFileSync(schemaFilePath, printSchemaFile());
console.log(`Wrote ${fileURLToPath(new URL(`file://${schemaFilePath}`))}`);

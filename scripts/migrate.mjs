#!/usr/bin/env node
// `npm run migrate`: applies pending migrations to the configured database (DATABASE_URL, else PGlite in DATA_DIR).
import { ensureDependencies, pnpm } from './pnpm.mjs';

ensureDependencies();
process.exit(pnpm(['--filter', '@mailboat/api', 'run', 'migrate']));

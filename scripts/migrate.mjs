#!/usr/bin/env node
// `npm run migrate`: applies pending migrations to the configured database (DATABASE_URL, else PGlite in DATA_DIR).
import { resolve } from 'node:path';
import { ensureDependencies, pnpm, root } from './pnpm.mjs';

// DATA_DIR defaults to ./data at the repo root; a relative DATA_DIR is taken from where npm was run.
process.env.DATA_DIR = process.env.DATA_DIR ? resolve(process.env.INIT_CWD ?? process.cwd(), process.env.DATA_DIR) : resolve(root, 'data');

ensureDependencies();
process.exit(pnpm(['--filter', '@mailboat/api', 'run', 'migrate']));

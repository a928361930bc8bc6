#!/usr/bin/env node
// `npm start`: installs what is missing, builds, migrates and starts Mailboat on one port.
import { resolve } from 'node:path';
import { ensureDependencies, pnpm, root } from './pnpm.mjs';

// DATA_DIR defaults to ./data at the repo root; a relative DATA_DIR is taken from where npm was run.
process.env.DATA_DIR = process.env.DATA_DIR ? resolve(process.env.INIT_CWD ?? process.cwd(), process.env.DATA_DIR) : resolve(root, 'data');

ensureDependencies();
const build = pnpm(['-r', '--if-present', 'run', 'build']);
if (build !== 0) process.exit(build);
process.exit(pnpm(['--filter', '@mailboat/api', 'run', 'start']));

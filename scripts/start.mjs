#!/usr/bin/env node
// `npm start`: installs what is missing, builds, migrates and starts Mailboat on one port.
import { ensureDependencies, pnpm } from './pnpm.mjs';

ensureDependencies();
const build = pnpm(['-r', '--if-present', 'run', 'build']);
if (build !== 0) process.exit(build);
process.exit(pnpm(['--filter', '@mailboat/api', 'run', 'start']));

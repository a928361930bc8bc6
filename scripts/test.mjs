#!/usr/bin/env node
// `npm test`: installs whatever is missing (dependencies, Postgres, Chromium), then checks
// types and lint and runs every test suite. Real Postgres is started by the test run itself.
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { ensureDependencies, pnpm, root } from './pnpm.mjs';
import { aptInstall, ensurePostgresInstalled } from './postgres.mjs';

ensureDependencies();
ensurePostgresInstalled();
// Chromium for the browser tests; the emoji font so their screenshots show reactions.
if (!existsSync('/usr/bin/chromium')) aptInstall(['chromium']);
if (!existsSync('/usr/share/fonts/truetype/noto/NotoColorEmoji.ttf')) {
  try {
    aptInstall(['fonts-noto-color-emoji']);
  } catch (e) {
    console.warn(`No emoji font (${e.message}): screenshots will show reactions as boxes.`);
  }
}

const step = (name, args) => {
  console.log(`\n== ${name}`);
  const status = pnpm(args);
  if (status !== 0) {
    console.error(`${name} failed`);
    process.exit(status);
  }
};

step('typecheck', ['-r', '--if-present', 'run', 'typecheck']);
step('lint', ['exec', 'biome', 'check', '.']);

const report = join(root, '.tmp', 'vitest-report.json');
rmSync(report, { force: true });
console.log('\n== tests');
const status = pnpm([
  'exec',
  'vitest',
  'run',
  '--reporter=default',
  '--reporter=json',
  `--outputFile.json=${report}`,
  ...process.argv.slice(2),
]);
if (existsSync(report)) {
  const r = JSON.parse(readFileSync(report, 'utf8'));
  // A file whose setup failed skips its tests: count it, or a broken file would look green.
  const brokenFiles = r.numFailedTestSuites > 0 ? `, ${r.numFailedTestSuites} test files failed` : '';
  console.log(`\n${r.numPassedTests} passed, ${r.numFailedTests} failed, ${r.numPendingTests + r.numTodoTests} skipped${brokenFiles}`);
}
process.exit(status);

import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/** The repository's root folder. */
export const root = fileURLToPath(new URL('..', import.meta.url));

/** One broken import rule: its name and the two modules (paths relative to the cruised folder). */
export type Violation = { rule: string; from: string; to: string };

/**
 * Runs dependency-cruiser with the repository's rules (.dependency-cruiser.cjs) over `paths`,
 * relative to `cwd` (which needs a tsconfig.base.json), and returns every violation.
 */
export function cruise(cwd: string, paths: string[]): Violation[] {
  const run = spawnSync(
    `${root}node_modules/.bin/depcruise`,
    [...paths, '--config', `${root}.dependency-cruiser.cjs`, '--output-type', 'json'],
    { cwd, encoding: 'utf8', maxBuffer: 256 * 2 ** 20 },
  );
  if (!run.stdout) throw new Error(`depcruise gave no answer (${run.status ?? run.signal ?? run.error}): ${run.stderr}`);
  const { summary } = JSON.parse(run.stdout) as {
    summary: { violations: { rule: { name: string }; from: string; to: string; cycle?: { name: string }[] }[] };
  };
  return summary.violations.map((v) => ({
    rule: v.rule.name,
    from: v.from,
    to: v.cycle ? v.cycle.map((step) => step.name).join(' → ') : v.to,
  }));
}

/** The names of the rules in .dependency-cruiser.cjs. */
export async function ruleNames(): Promise<string[]> {
  const config = (await import(`${root}.dependency-cruiser.cjs`)) as { default: { forbidden: { name: string }[] } };
  return [...new Set(config.default.forbidden.map((rule) => rule.name))];
}

import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * Summarizes V8 CPU profiles (`node --cpu-prof`, written when BENCH_PROFILE is set): where the
 * API process spent its time, by package and by function (self time).
 * Usage: npx tsx bench/profile-summary.ts <folder or .cpuprofile> [top] [--from=<µs>] [--to=<µs>]
 * `--from`/`--to` keep only the samples in that window, in microseconds of the machine's
 * monotonic clock (`process.hrtime`, which V8 profiles use too): the fan-out phase prints its
 * delivery window that way.
 */

type Node = { id: number; callFrame: { functionName: string; url: string; lineNumber: number }; hitCount?: number };
type Profile = { nodes: Node[]; samples: number[]; timeDeltas: number[]; startTime: number; endTime: number };

/** The package (or area) a source URL belongs to. */
export function areaOf(url: string, name: string): string {
  if (!url) return name === '(idle)' || name === '(program)' || name === '(garbage collector)' ? name : '(native)';
  const pkg = /node_modules\/(?:\.pnpm\/[^/]+\/node_modules\/)?((?:@[^/]+\/)?[^/]+)/.exec(url)?.[1];
  if (pkg) return pkg;
  if (url.startsWith('node:')) return 'node';
  const own = /\/(api|schema)\/src\/([^/]+)/.exec(url);
  return own ? `${own[1]}/${own[2]}` : url;
}

export function summarize(file: string, top = 25, window: { from?: number; to?: number } = {}): string {
  const p = JSON.parse(readFileSync(file, 'utf8')) as Profile;
  const byId = new Map(p.nodes.map((n) => [n.id, n]));
  const self = new Map<number, number>();
  let at = p.startTime;
  p.samples.forEach((id, i) => {
    const delta = p.timeDeltas[i] ?? 0;
    at += delta;
    if (at < (window.from ?? -Infinity) || at > (window.to ?? Infinity)) return;
    self.set(id, (self.get(id) ?? 0) + delta);
  });
  const total = [...self.values()].reduce((a, b) => a + b, 0);
  const areas = new Map<string, number>();
  const fns = new Map<string, number>();
  for (const [id, us] of self) {
    const n = byId.get(id) as Node;
    const area = areaOf(n.callFrame.url, n.callFrame.functionName);
    areas.set(area, (areas.get(area) ?? 0) + us);
    const fn = `${n.callFrame.functionName || '(anonymous)'} ${area}:${n.callFrame.lineNumber + 1}`;
    fns.set(fn, (fns.get(fn) ?? 0) + us);
  }
  const pct = (us: number) => `${((100 * us) / total).toFixed(1)}%`.padStart(6);
  const lines = [`${file}: ${(total / 1e6).toFixed(1)} s sampled`, '  by area (self time):'];
  for (const [a, us] of [...areas].sort((x, y) => y[1] - x[1]).slice(0, top)) lines.push(`  ${pct(us)}  ${a}`);
  lines.push('  by function (self time):');
  for (const [f, us] of [...fns].sort((x, y) => y[1] - x[1]).slice(0, top)) lines.push(`  ${pct(us)}  ${f}`);
  return lines.join('\n');
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const flag = (name: string) => {
    const value = process.argv.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3);
    return value === undefined ? undefined : Number(value);
  };
  const [target = '.', top = '25'] = process.argv.slice(2).filter((a) => !a.startsWith('--'));
  const files = target.endsWith('.cpuprofile')
    ? [target]
    : readdirSync(target)
        .filter((f) => f.endsWith('.cpuprofile'))
        .map((f) => join(target, f));
  for (const f of files) console.log(summarize(f, Number(top), { from: flag('from'), to: flag('to') }));
}

/** One reported figure, beside the limit measured in the same run where there is one. */
export type Figure = {
  what: string;
  value: number;
  unit: string;
  lowerIsBetter?: boolean;
  limit?: { name: string; value: number };
  /** ratio: against the limit; absolute: against `value` itself. */
  target?: { ratio?: number; absolute?: number };
  note?: string;
};

/** Whether a figure meets its target(s); undefined when it has none. */
export function verdict(f: Figure): boolean | undefined {
  const checks: boolean[] = [];
  const better = (a: number, b: number) => (f.lowerIsBetter ? a <= b : a >= b);
  if (f.target?.ratio !== undefined && f.limit) checks.push(better(f.value / f.limit.value, f.target.ratio));
  if (f.target?.absolute !== undefined) checks.push(better(f.value, f.target.absolute));
  return checks.length === 0 ? undefined : checks.every(Boolean);
}

const num = (v: number) => (Math.abs(v) >= 100 ? v.toFixed(0) : v.toFixed(1));

/** Prints the figures as a Markdown table. */
export function printTable(figures: Figure[]): void {
  console.log('\n| figure | measured | limit (same run) | ratio | target | met | notes |');
  console.log('|---|---|---|---|---|---|---|');
  for (const f of figures) {
    const ratio = f.limit ? `${(f.value / f.limit.value).toFixed(2)}x` : '';
    const target = [
      f.target?.ratio !== undefined ? `${f.lowerIsBetter ? '<=' : '>='} ${f.target.ratio}x` : '',
      f.target?.absolute !== undefined ? `${f.lowerIsBetter ? '<=' : '>='} ${num(f.target.absolute)} ${f.unit}` : '',
    ]
      .filter(Boolean)
      .join(', ');
    const met = verdict(f);
    console.log(
      `| ${f.what} | ${num(f.value)} ${f.unit} | ${f.limit ? `${f.limit.name}: ${num(f.limit.value)}` : ''} | ${ratio} | ${target} | ${met === undefined ? '' : met ? 'yes' : 'NO'} | ${f.note ?? ''} |`,
    );
  }
}

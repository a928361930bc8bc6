/** File sizes as people read them, in binary units named KB, MB, GB (as the limits are set: 100 MiB reads "100 MB"). */

const UNITS = ['KB', 'MB', 'GB', 'TB'] as const;
const oneDecimal = new Intl.NumberFormat(undefined, { maximumFractionDigits: 1 });
const whole = new Intl.NumberFormat(undefined, { maximumFractionDigits: 0 });

/** "512 bytes", "4.2 KB", "2.4 MB", "200 MB", "1 GB": one decimal below 10 of a unit (none when it is .0), else whole. */
export function formatBytes(bytes: number): string {
  if (bytes < 1024) return bytes === 1 ? '1 byte' : `${whole.format(bytes)} bytes`;
  let value = bytes / 1024;
  let unit = 0;
  while (value >= 1024 && unit < UNITS.length - 1) {
    value /= 1024;
    unit += 1;
  }
  // 1023.96 KB would round to "1,024 KB": say "1 MB" instead.
  if (Math.round(value) >= 1024 && unit < UNITS.length - 1) {
    value /= 1024;
    unit += 1;
  }
  return `${(value < 10 ? oneDecimal : whole).format(value)} ${UNITS[unit]}`;
}

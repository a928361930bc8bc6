/** Short, local date and time formats (Intl, the browser's locale). */

const time = new Intl.DateTimeFormat(undefined, { hour: 'numeric', minute: '2-digit' });
const timeWithSeconds = new Intl.DateTimeFormat(undefined, { hour: 'numeric', minute: '2-digit', second: '2-digit' });
const weekday = new Intl.DateTimeFormat(undefined, { weekday: 'short' });
const shortDate = new Intl.DateTimeFormat(undefined, { day: 'numeric', month: 'short' });
const longDate = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium' });
const full = new Intl.DateTimeFormat(undefined, { dateStyle: 'full', timeStyle: 'short' });
const weekdayTime = new Intl.DateTimeFormat(undefined, { weekday: 'short', hour: 'numeric', minute: '2-digit' });
const relative = new Intl.RelativeTimeFormat(undefined, { numeric: 'auto' });

const DAY = 24 * 60 * 60 * 1000;

function startOfDay(ms: number): number {
  const d = new Date(ms);
  d.setHours(0, 0, 0, 0);
  return d.getTime();
}

/** "14:05" today, "yesterday", "Mon" this week, "3 Mar" this year, else "3 Mar 2023". */
export function formatListTime(ms: number, now: number = Date.now()): string {
  const days = Math.round((startOfDay(now) - startOfDay(ms)) / DAY);
  if (days <= 0) return time.format(ms);
  if (days === 1) return relative.format(-1, 'day');
  if (days < 7) return weekday.format(ms);
  if (new Date(ms).getFullYear() === new Date(now).getFullYear()) return shortDate.format(ms);
  return longDate.format(ms);
}

/** A time ahead (when something ends): "18:30" today, "Tue 18:30" within a week, else "3 Mar" or "3 Mar 2027". */
export function formatUntil(ms: number, now: number = Date.now()): string {
  const days = Math.round((startOfDay(ms) - startOfDay(now)) / DAY);
  if (days <= 0) return time.format(ms);
  if (days < 7) return weekdayTime.format(ms);
  if (new Date(ms).getFullYear() === new Date(now).getFullYear()) return shortDate.format(ms);
  return longDate.format(ms);
}

/** A message's clock time, e.g. "14:05". */
export function formatTime(ms: number): string {
  return time.format(ms);
}

/** A clock time to the second, e.g. "14:05:09": edits of one message are often a minute apart or less. */
export function formatTimeWithSeconds(ms: number): string {
  return timeWithSeconds.format(ms);
}

/** For a title attribute: the full local date and time. */
export function formatFull(ms: number): string {
  return full.format(ms);
}

/** "Today", "Yesterday", or a medium date: the label of a day separator. */
export function formatDay(ms: number, now: number = Date.now()): string {
  const days = Math.round((startOfDay(now) - startOfDay(ms)) / DAY);
  if (days === 0 || days === 1) {
    const word = relative.format(-days, 'day');
    return word.charAt(0).toUpperCase() + word.slice(1);
  }
  return longDate.format(ms);
}

/** "in 4 minutes" style, for expiry times. */
export function formatFromNow(ms: number, now: number = Date.now()): string {
  const minutes = Math.round((ms - now) / 60_000);
  if (Math.abs(minutes) < 60) return relative.format(minutes, 'minute');
  return relative.format(Math.round(minutes / 60), 'hour');
}

/** The same calendar day (local time). */
export function sameDay(a: number, b: number): boolean {
  return startOfDay(a) === startOfDay(b);
}

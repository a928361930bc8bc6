import { codePointLength, limits, normalizeHandle, visibleTextProblem } from '@mailboat/schema';
import { badInput } from './errors.js';

/** Input checks shared by services. Each returns the normalized value or throws BAD_USER_INPUT naming the field. */

/** A name or title: trimmed, one line, within `bounds` code points, and obeying the text rules every text obeys (schema's text.ts). */
export function text(field: string, value: string, bounds: { min: number; max: number }): string {
  const trimmed = value.trim();
  const length = codePointLength(trimmed);
  if (length < bounds.min || length > bounds.max) {
    throw badInput(field, `${field} must be ${bounds.min} to ${bounds.max} characters`);
  }
  const problem = visibleTextProblem(trimmed, field, { singleLine: true });
  if (problem) throw badInput(field, problem);
  return trimmed;
}

export function handle(value: string): string {
  const normalized = normalizeHandle(value);
  const { min, max, pattern } = limits.handle;
  if (normalized.length < min || normalized.length > max || !pattern.test(normalized)) {
    throw badInput('handle', `handle must be ${min} to ${max} characters of a-z, 0-9 and _`);
  }
  return normalized;
}

/** A page size (`first`, `last`): at most limits.pageSize.max, never silently shortened; BAD_USER_INPUT naming the argument. */
export function pageSize(name: string, value: number | null | undefined): void {
  if (value != null && value > limits.pageSize.max) throw badInput(name, `\`${name}\` is at most ${limits.pageSize.max}`);
}

export function password(value: string): string {
  const length = codePointLength(value);
  if (length < limits.password.min || length > limits.password.max) {
    throw badInput('password', `password must be ${limits.password.min} to ${limits.password.max} characters`);
  }
  return value;
}

export type DeviceInput = { name: string; platform: string; appVersion: string };

export function device(value: DeviceInput): DeviceInput {
  return {
    name: text('device.name', value.name, limits.deviceName),
    platform: text('device.platform', value.platform, limits.devicePlatform),
    appVersion: text('device.appVersion', value.appVersion, limits.deviceAppVersion),
  };
}

/** True when `type` is accepted by `allowed` (exact types or `type/*`; an empty list accepts every type). */
export function isAllowedType(allowed: readonly string[], type: string): boolean {
  if (allowed.length === 0) return true;
  const major = type.split('/')[0];
  return allowed.some((a) => a === type || a === `${major}/*`);
}

/**
 * Input limits shared by the API (which enforces them) and clients (which can check
 * before sending). Lengths count Unicode code points after trimming.
 */
export const limits = {
  handle: { min: 3, max: 32, pattern: /^[a-z0-9_]+$/ },
  password: { min: 8, max: 256 },
  displayName: { min: 1, max: 64 },
  conversationTitle: { min: 1, max: 100 },
  groupMembers: { max: 256 },
  deviceName: { min: 1, max: 64 },
  devicePlatform: { min: 1, max: 32 },
  deviceAppVersion: { min: 1, max: 32 },
  pairingCodeLength: 8,
  pageSize: { default: 20, max: 100 },
} as const;

/** Lower-cases and trims a handle the way the server stores it. */
export function normalizeHandle(handle: string): string {
  return handle.trim().toLowerCase();
}

/** Counts code points, so that an emoji counts as one character. */
export function codePointLength(text: string): number {
  let n = 0;
  for (const _ of text) n++;
  return n;
}

/**
 * Input limits shared by the API (which enforces them) and clients (which can check
 * before sending). Lengths count Unicode code points after trimming unless noted.
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
  /** A message's text, in UTF-16 code units (Y.Text's own length). */
  messageText: { max: 10_000 },
  /** Versions one message keeps (its first text and its edits). */
  messageVersions: { max: 100 },
  /** A reaction: one grapheme, at most this many UTF-16 code units. */
  reactionUnits: { max: 32 },
  /** One Yjs update, in bytes. */
  updateBytes: { max: 256 * 1024 },
  /** Updates in one push. */
  pushUpdates: { max: 500 },
  /**
   * Photos and files (doc/attachments.ts). The byte limits a server applies are its settings
   * (the `attachmentLimits` query), at most `fileBytes.max`; uploads go in parts of
   * `partBytes` (the last may be smaller).
   */
  attachments: {
    perMessage: 10,
    nameMax: 255,
    typeMax: 100,
    thumbhashMax: 64,
    dimensionMax: 100_000,
    fileBytes: { max: 2 ** 31 - 1 },
    partBytes: 8 * 1024 * 1024,
  },
  /** How far a message's createdAt (or editedAt) may be ahead of the server's clock. */
  futureSkewMs: 5 * 60 * 1000,
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

const segmenter = new Intl.Segmenter('en', { granularity: 'grapheme' });

/** True for exactly one emoji grapheme (a pictograph, flag or keycap sequence), within the size limit. */
export function isReactionEmoji(value: string): boolean {
  if (value.length === 0 || value.length > limits.reactionUnits.max) return false;
  const graphemes = [...segmenter.segment(value)];
  return graphemes.length === 1 && /\p{Extended_Pictographic}|\p{Regional_Indicator}|\u20e3/u.test(value);
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** True for a lower-case hyphenated UUID (message ids are UUID v7, made by clients). */
export function isUuid(value: unknown): value is string {
  return typeof value === 'string' && UUID.test(value);
}

import { limits } from './limits.js';

/**
 * The rules for text people write (messages, names, titles), in one place: the Yjs write rules,
 * the plain GraphQL API and the app all judge text with these functions, so a value refused
 * by one way in is refused by every way in, with the same reason.
 *
 * Refused anywhere in the text:
 * - C0 controls other than tab, line feed and carriage return (NUL, BEL, ESC, ...), DEL and
 *   the C1 controls U+0080-U+009F: they are invisible, can drive terminals, and NUL is not
 *   storable in Postgres text;
 * - bidirectional embeddings, overrides and isolates (U+202A-U+202E, U+2066-U+2069): they can
 *   make text read differently from what it holds ("Trojan Source"); the marks U+200E, U+200F
 *   and U+061C that real right-to-left text uses stay allowed;
 * - lone surrogates (text that is not well-formed UTF-16, which no encoding can carry).
 * And a text must show something: empty, blank or invisible-only text (spaces, zero-width
 * characters) is refused.
 */

// biome-ignore lint/suspicious/noControlCharactersInRegex: finding control characters is the point
const FORBIDDEN_CHARACTER = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/;
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;
/** What a one-line label (a name, a title) may not hold besides the rest. */
const LINE_BREAK_OR_TAB = /[\t\n\r\u2028\u2029]/;
/** White space and characters that take no room: what text made only of shows nothing. */
const INVISIBLE = /^[\s\u180e\u200b-\u200f\u2028\u2029\u2060-\u2064\u061c\ufeff]*$/u;

/** Why a piece of text (part of a message, as an edit of the old shape inserts it) is refused, or undefined. */
export function textFragmentProblem(fragment: string): string | undefined {
  if (FORBIDDEN_CHARACTER.test(fragment)) {
    return 'text must not contain control characters (other than tab and newline) or bidirectional overrides';
  }
  return undefined;
}

/**
 * Why `text` is refused by the character rules above (as `<field> must ...`), or undefined:
 * for every text a person writes and others read, whatever its length limits (a message, a
 * display name, a conversation title, a device name). Labels are `singleLine`.
 */
export function visibleTextProblem(text: string, field = 'text', options: { singleLine?: boolean } = {}): string | undefined {
  if (INVISIBLE.test(text)) return `${field} must not be empty`;
  if (options.singleLine && LINE_BREAK_OR_TAB.test(text)) return `${field} must be one line, without tabs`;
  if (LONE_SURROGATE.test(text)) return `${field} must be well-formed Unicode`;
  if (FORBIDDEN_CHARACTER.test(text)) {
    return `${field} must not contain control characters (other than tab and newline) or bidirectional overrides`;
  }
  return undefined;
}

/** Why `text` is refused as a message's whole text, or undefined when it is acceptable as it is. */
export function messageTextProblem(text: string): string | undefined {
  if (text.length > limits.messageText.max) return `text may be at most ${limits.messageText.max} characters`;
  return visibleTextProblem(text);
}

/** The text a person typed as it is stored: trimmed. Check it with messageTextProblem. */
export const normalizeMessageText = (text: string) => text.trim();

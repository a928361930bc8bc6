import { describe, expect, it } from 'vitest';
import { messageTextProblem, normalizeMessageText, textFragmentProblem } from '../src/index.js';
import { acceptedTexts, refusedTexts } from './hostile-text.js';

describe('the text rules', () => {
  it.each(refusedTexts.map((c) => [c.name, c] as const))('refuse %s, also once trimmed', (_, { text, kind }) => {
    expect(messageTextProblem(text)).toEqual(expect.any(String));
    expect(messageTextProblem(normalizeMessageText(text))).toEqual(expect.any(String));
    // A character refused anywhere is refused in a fragment too (the old shape's edits insert fragments).
    if (kind === 'control' || kind === 'bidi') expect(textFragmentProblem(text)).toEqual(expect.any(String));
  });

  it.each(acceptedTexts.map((c) => [c.name, c.text] as const))('accept %s as it is', (_, text) => {
    expect(messageTextProblem(text)).toBeUndefined();
    expect(normalizeMessageText(text)).toBe(text);
    expect(textFragmentProblem(text)).toBeUndefined();
  });
});

import { beforeAll, describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { acceptedTexts, type RefusalKind, refusedTexts } from '../../schema/test/hostile-text.js';
import { ClientError } from '../src/app/model.js';
import { accountOf, type Device, directPair, startApi, texts, until, useDevices } from './harness.js';

const api = startApi();

/** What the refusal says, by the rule the text breaks (schema/src/text.ts). */
const says: Record<RefusalKind, RegExp> = {
  control: /control characters/,
  bidi: /bidirectional/,
  surrogate: /well-formed/,
  blank: /empty/,
  length: /at most/,
};

/** Everything a refused write could have changed on the device. */
function deviceState(d: Device, c: string) {
  const account = accountOf(d);
  if (!account) throw new Error('signed out');
  return {
    view: JSON.stringify(d.client.conversation(c).messages),
    outbox: account.outbox.size,
    failed: account.outbox.failed().length,
    docs: account.segments.ofConversation(c).map((h) => Array.from(Y.encodeStateVector(h.doc)).join()),
  };
}

const refusal = (write: () => unknown): ClientError | undefined => {
  try {
    write();
  } catch (e) {
    if (e instanceof ClientError) return e;
    throw e;
  }
  return undefined;
};

describe('text the rules refuse, typed into the app', () => {
  const device = useDevices(api);
  let ana: Device;
  let bo: Device;
  let c = '';
  let mine = '';

  beforeAll(async () => {
    ana = device('ana');
    bo = device('bo');
    ({ c } = await directPair(ana, bo));
    mine = ana.client.send(c, 'an ordinary message');
    await until(() => ana.client.syncState().pending === 0, 'Ana to push');
  });

  it.each(refusedTexts.map((t) => [t.name, t] as const))(
    '%s: refused by send and edit with a clear ClientError, nothing written',
    (_, { text, kind }) => {
      const before = deviceState(ana, c);
      const sent = refusal(() => ana.client.send(c, text));
      expect(sent).toBeInstanceOf(ClientError);
      expect(sent?.code).toBe('BAD_USER_INPUT');
      expect(sent?.message).toMatch(says[kind]);
      const edited = refusal(() => ana.client.edit(mine, text));
      expect(edited).toBeInstanceOf(ClientError);
      expect(edited?.code).toBe('BAD_USER_INPUT');
      expect(edited?.message).toMatch(says[kind]);
      expect(deviceState(ana, c)).toEqual(before);
    },
  );

  it('texts the rules accept are sent and edited exactly as written, and the server takes them', async () => {
    const ids = acceptedTexts.map((t) => ana.client.send(c, t.text));
    const [first] = ids;
    ana.client.edit(first as string, acceptedTexts[1]?.text as string);
    await until(() => ana.client.syncState().pending === 0, 'Ana to push');
    expect(ana.client.conversation(c).messages.some((m) => m.tick === 'failed')).toBe(false);
    const expected = ['an ordinary message', acceptedTexts[1]?.text, ...acceptedTexts.slice(1).map((t) => t.text)];
    await bo.client.syncNow();
    await until(() => texts(bo, c).length === expected.length, 'Bo to receive them');
    expect(texts(bo, c)).toEqual(expected);
  });
});

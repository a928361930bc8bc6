import { describe, expect, it } from 'vitest';
import { backends, deviceInput, SIGN_IN, SIGN_UP, useTestApp } from './harness.js';

/** Names and titles obey the same character rules as message text (schema/src/text.ts). */
const HOSTILE = {
  NUL: 'Ana\u0000',
  BEL: 'Ana\u0007',
  'C1 control': 'Ana\u0085',
  'right-to-left override': 'Ana\u202Egnp.exe',
  isolate: 'Ana\u2066x\u2069',
  'zero-width only': '\u200b\u200c\u200d',
  'lone surrogate': 'Ana\ud800',
};

const codeOf = (r: { errors?: { extensions?: Record<string, unknown> }[] }) => r.errors?.[0]?.extensions;

describe.each(backends)('hostile names, titles and handles on %s', (backend) => {
  const app = useTestApp(backend);

  it('refuses each in a display name, a profile update, a group title, a rename and a device name', async () => {
    const { client } = app();
    const ana = await client.signUp('names', 'Ana');
    const bo = await client.signUp('names_bo', 'Bo');
    const group = await client.ok(
      'mutation($i: CreateGroupConversationInput!) { createGroupConversation(input: $i) { id } }',
      {
        i: { memberIds: [bo.userId], title: 'Fine title' },
      },
      ana.accessToken,
    );
    for (const [name, value] of Object.entries(HOSTILE)) {
      const attempts = [
        [
          await client.gql(SIGN_UP, {
            input: {
              handle: `n_${Math.random().toString(16).slice(2, 10)}`,
              password: 'correct horse battery',
              displayName: value,
              device: deviceInput(),
            },
          }),
          'displayName',
        ],
        [
          await client.gql('mutation($n: String!) { updateProfile(displayName: $n) { id } }', { n: value }, { token: ana.accessToken }),
          'displayName',
        ],
        [
          await client.gql(
            'mutation($i: CreateGroupConversationInput!) { createGroupConversation(input: $i) { id } }',
            { i: { memberIds: [bo.userId], title: value } },
            { token: ana.accessToken },
          ),
          'title',
        ],
        [
          await client.gql(
            'mutation($c: ID!, $t: String!) { renameConversation(conversationId: $c, title: $t) { id } }',
            { c: group.createGroupConversation.id, t: value },
            { token: ana.accessToken },
          ),
          'title',
        ],
        [
          await client.gql(SIGN_IN, { input: { handle: ana.handle, password: ana.password, device: { ...deviceInput(), name: value } } }),
          'device.name',
        ],
      ] as const;
      for (const [result, field] of attempts) {
        expect(codeOf(result), `${name} as ${field}`).toMatchObject({ code: 'BAD_USER_INPUT', field });
      }
    }
    const profile = await client.ok('{ viewer { user { displayName } } }', {}, ana.accessToken);
    expect(profile.viewer.user.displayName).toBe('Ana');
    const titled = await client.ok(
      'query($id: ID!) { conversation(id: $id) { title } }',
      { id: group.createGroupConversation.id },
      ana.accessToken,
    );
    expect(titled.conversation.title).toBe('Fine title');
  });

  it('answers a handle that cannot exist (NUL, controls, 1 MB) with BAD_USER_INPUT, never a server error', async () => {
    const { client } = app();
    const ana = await client.signUp('handles');
    for (const handle of ['ana\u0000', 'a\u0007b', 'x'.repeat(1_000_000 / 4), '']) {
      const lookup = await client.gql('query($h: String!) { userByHandle(handle: $h) { id } }', { h: handle }, { token: ana.accessToken });
      expect(codeOf(lookup)).toMatchObject({ code: 'BAD_USER_INPUT', field: 'handle' });
      const signIn = await client.gql(SIGN_IN, { input: { handle, password: 'correct horse battery', device: deviceInput() } });
      expect(codeOf(signIn)).toMatchObject({ code: 'BAD_USER_INPUT', field: 'handle' });
    }
  });

  it('answers segments(first: -5) and (first: 0) with BAD_USER_INPUT', async () => {
    const { client } = app();
    const { ana, conversationId } = await client.directPair();
    for (const first of [-5, 0]) {
      const r = await client.gql(
        'query($id: ID!, $f: Int) { conversation(id: $id) { segments(first: $f) { edges { cursor } } } }',
        { id: conversationId, f: first },
        { token: ana.accessToken },
      );
      expect(codeOf(r)).toMatchObject({ code: 'BAD_USER_INPUT', field: 'first' });
    }
  });

  it('refuses segments(last:) and segments(before:), which it cannot honour, instead of ignoring them', async () => {
    const { client } = app();
    const { ana, conversationId } = await client.directPair();
    for (const [arg, value] of [
      ['last', 5],
      ['before', '471234'],
    ] as const) {
      const type = arg === 'last' ? 'Int' : 'String';
      const r = await client.gql(
        `query($id: ID!, $v: ${type}) { conversation(id: $id) { segments(${arg}: $v) { edges { cursor } } } }`,
        { id: conversationId, v: value },
        { token: ana.accessToken },
      );
      expect(codeOf(r)).toMatchObject({ code: 'BAD_USER_INPUT', field: arg });
    }
  });
});

import type { Message } from '@mailboat/schema';
import { v7 as uuidv7 } from 'uuid';
import { describe, expect, it } from 'vitest';
import type { ChatMessage, User } from '../src/app/model.js';
import { MessageRows } from '../src/sync/message-rows.js';
import type { Watermark } from '../src/sync/records.js';
import { buildMessages, type MessageInputs } from '../src/sync/views.js';

const ANA = 'usr_ana';
const BO = 'usr_bo';
const T = Date.UTC(2025, 0, 1);
const users = new Map<string, User>([
  [ANA, { id: ANA, handle: 'ana', displayName: 'Ana' }],
  [BO, { id: BO, handle: 'bo', displayName: 'Bo' }],
]);

/** A Message as a segment document's index reads it: a new object on every read. */
function message(id: string, author: string, createdAt: number, text: string): Message {
  return {
    id,
    author,
    createdAt,
    text,
    replyTo: null,
    editedAt: null,
    deleted: false,
    reactions: {},
    versions: [{ id, text, at: createdAt, client: 1 }],
    attachments: [],
  };
}

/** Ana's view of a conversation with Bo: the rows built from `messages`, with the conversation's `kept` rows. */
function rows(kept: MessageRows, messages: Message[], receipts: Watermark[] = []): ChatMessage[] {
  const input: MessageInputs = {
    conversationId: 'cnv_1',
    viewerId: ANA,
    messages,
    outbox: [],
    failed: [],
    receipts,
    user: (id) => users.get(id) as User,
    upload: () => null,
    rows: kept,
  };
  return buildMessages(input);
}

describe('a message row', () => {
  const ids = [uuidv7({ msecs: T }), uuidv7({ msecs: T + 1 }), uuidv7({ msecs: T + 2 })];
  const read = (texts: string[]) => texts.map((text, i) => message(ids[i] as string, i === 1 ? ANA : BO, T + i, text));

  it('stays the same object across a refresh while nothing in it changed, and is a new one when something did', () => {
    const kept = new MessageRows();
    const first = rows(kept, read(['one', 'two', 'three']));
    // The documents are read again (reloaded, or rebuilt after a refusal): new Message objects, same messages.
    const refreshed = rows(kept, read(['one', 'two', 'three']));
    expect(refreshed).not.toBe(first);
    for (const [i, row] of refreshed.entries()) expect(row).toBe(first[i]);

    const edited = rows(kept, read(['one', 'two', 'three, edited']));
    expect(edited[0]).toBe(first[0]);
    expect(edited[1]).toBe(first[1]);
    expect(edited[2]).not.toBe(first[2]);
    expect(edited[2]).toMatchObject({ text: 'three, edited' });
  });

  it('is a new object when its tick changes, and only then', () => {
    const kept = new MessageRows();
    const messages = read(['one', 'two', 'three']);
    const sent = rows(kept, messages);
    expect(sent[1]?.tick).toBe('sent');
    const bo = (at: number | null): Watermark[] => [
      { userId: BO, delivered: at === null ? null : { at, id: ids[2] as string }, read: null },
    ];
    const notYet = rows(kept, messages, bo(null)); // Bo's receipts name no message of Ana's yet
    expect(notYet[1]).toBe(sent[1]);
    const delivered = rows(kept, messages, bo(T + 2));
    expect(delivered[1]).not.toBe(sent[1]);
    expect(delivered[1]?.tick).toBe('delivered');
    expect(delivered[0]).toBe(sent[0]); // Bo's own rows carry no tick
  });
});

import { describe, expect, it } from 'vitest';
import { GENERIC_NOTICE, readPushNotice } from '../../sw/src/push-payload.js';

const data = (value: unknown) => ({ text: () => (typeof value === 'string' ? value : JSON.stringify(value)) });
const conversationId = 'cnv_0193a1b2c3d47e5f8a9b0c1d2e3f4a5b';
const payload = {
  v: 1,
  kind: 'message',
  conversationId,
  messageId: 'msg_0193a1b2c3d47e5f8a9b0c1d2e3f4a5c',
  title: 'Bo in Weekend plans',
  body: '3 new messages',
  count: 3,
  unreadConversations: 2,
  sentAt: 1765000000000,
};

describe("the service worker's reading of a push", () => {
  it('reads the contract payload', () => {
    expect(readPushNotice(data(payload))).toEqual({
      conversationId,
      title: 'Bo in Weekend plans',
      body: '3 new messages',
      count: 3,
      unreadConversations: 2,
      sentAt: 1765000000000,
    });
  });

  it('shows "New message" for a push it cannot use, and never throws', () => {
    for (const bad of [
      null,
      undefined,
      data('not json'),
      data('null'),
      data('[]'),
      data({ ...payload, v: 2 }),
      data({ ...payload, kind: 'typing' }),
      data({ ...payload, conversationId: 'usr_0193a1b2c3d47e5f8a9b0c1d2e3f4a5b' }),
      data({ ...payload, conversationId: '../../evil' }),
      {
        text: () => {
          throw new TypeError('not text');
        },
      },
    ]) {
      expect(readPushNotice(bad)).toBe(GENERIC_NOTICE);
    }
  });

  it('falls back field by field, and cuts long text', () => {
    const notice = readPushNotice(
      data({ ...payload, title: '  ', body: 'x'.repeat(5000), count: -1, unreadConversations: 'many', sentAt: 'now' }),
    );
    expect(notice).toMatchObject({ conversationId, title: 'Mailboat', count: 1, unreadConversations: null, sentAt: null });
    expect(notice.body).toHaveLength(1000);
    expect(notice.body.endsWith('…')).toBe(true);
  });
});

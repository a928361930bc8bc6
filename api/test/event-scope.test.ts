import { parse } from 'graphql';
import { describe, expect, it } from 'vitest';
import { eventScopeOf } from '../src/graphql/events.js';
import { buildSchema } from '../src/graphql/schema.js';

const schema = buildSchema();
const viewer = { userId: 'u1', deviceId: 'd1' };
const scopeOf = (query: string) => eventScopeOf(parse(query), schema);

describe('the sharing scope of an event', () => {
  it('shares typing and receipt events between viewers while the document never asks for a User’s presence', () => {
    const scope = scopeOf(
      'subscription { events { ... on PresenceEvent { presence { online } } ... on TypingEvent { user { id } } ... on ReceiptEvent { user { id } } } }',
    );
    expect(scope({ kind: 'typing' }, { viewer })).toBe('');
    expect(scope({ kind: 'receiptMoved' }, { viewer })).toBe('');
    expect(scope({ kind: 'presence' }, { viewer })).toBe('u1:d1');
  });

  it('gives each device its own execution of events holding a User once the document selects User.presence', () => {
    const scope = scopeOf('subscription { events { ... on TypingEvent { person: user { state: presence { online } } } } }');
    expect(scope({ kind: 'typing' }, { viewer })).toBe('u1:d1');
    expect(scope({ kind: 'receiptMoved' }, { viewer })).toBe('u1:d1');
    expect(scope({ kind: 'segmentUpdated' }, { viewer })).toBe('');
  });

  it('keeps conversation and device events per device whatever the document selects', () => {
    const scope = scopeOf('subscription { events { __typename } }');
    expect(scope({ kind: 'conversationAdded' }, { viewer })).toBe('u1:d1');
    expect(scope({ kind: 'deviceAdded' }, { viewer })).toBe('u1:d1');
  });
});

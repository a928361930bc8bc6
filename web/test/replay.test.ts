import { describe, expect, it } from 'vitest';
import { replayOutbox } from '../src/sync/replay.js';
import { type Device, PASSWORD, signUp, startApi, texts, until, useDevices } from './harness.js';

const api = startApi();

/** Runs the service worker's replay on the device's storage and network, as the worker would with the app closed. */
const replay = (d: Device, fetch: typeof globalThis.fetch = d.fetch) =>
  replayOutbox({ baseUrl: 'http://localhost', fetch, indexedDB: d.indexedDB });

/** The device's fetch, except that push requests get `status` (the API behind a proxy that is down, say). */
const pushesAnswered = (d: Device, status: number): typeof fetch => {
  return async (input, init) => {
    if (typeof init?.body === 'string' && init.body.includes('pushUpdates')) {
      d.requests.push('Push');
      if (status >= 500) return new Response('Bad gateway', { status, headers: { 'content-type': 'text/plain' } });
      const body = { errors: [{ message: 'Sign in first', extensions: { code: 'UNAUTHENTICATED' } }] };
      return new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });
    }
    return d.fetch(input, init);
  };
};

describe("the service worker's replay of the outbox", () => {
  const device = useDevices(api);

  /** Ana and Bo (a browser-like device with the refresh cookie) in a direct conversation, Bo's app closed with `queued` written offline. */
  async function closedAppWithQueuedWrites(queued: string[], options: { skew?: () => number; offline?: () => void } = {}) {
    const ana = device('ana');
    const bo = device('bo', { delivery: 'COOKIE', ...(options.skew ? { now: () => Date.now() + (options.skew?.() ?? 0) } : {}) });
    await signUp(ana, 'ana', 'Ana');
    const boHandle = await signUp(bo, 'bo', 'Bo');
    const boId = bo.client.session()?.user.id ?? '';
    const c = await ana.client.openDirect(boId);
    await bo.client.syncNow();
    bo.offline = true;
    // A new run of the app, offline: nothing of the run that synced (a catch-up its live stream
    // started on connecting, say) is still in flight when the clock jumps, to teach it the jump.
    await bo.restart();
    options.offline?.();
    for (const text of queued) bo.client.send(c, text);
    await bo.client.close();
    bo.offline = false;
    bo.requests.length = 0;
    return { ana, bo, c, boId, boHandle };
  }

  it('delivers what was written offline with the app closed, once, with a token refreshed from the cookie first', async () => {
    const { ana, bo, c } = await closedAppWithQueuedWrites(['one', 'two', 'three']);

    const report = await replay(bo);

    expect(report).toEqual({ delivered: 3, refused: 0, left: 0 });
    expect(bo.requests).toEqual(['/auth/refresh', 'Push']);
    await ana.client.syncNow();
    expect(texts(ana, c)).toEqual(['one', 'two', 'three']);

    bo.requests.length = 0;
    await bo.restart();
    expect(bo.client.syncState().pending).toBe(0);
    expect(bo.client.conversation(c).messages.map((m) => m.tick)).toEqual(['sent', 'sent', 'sent']);
    await bo.client.syncNow();
    expect(bo.count('Push')).toBe(0); // the app does not push them again
    bo.requests.length = 0;
    expect(await replay(bo)).toEqual({ delivered: 0, refused: 0, left: 0 });
    expect(bo.count('/auth/refresh')).toBe(0); // an empty outbox costs no refresh
  });

  it('runs beside an open app: one of them pushes each write, once, and the app shows it sent', async () => {
    const { ana, bo, c } = await closedAppWithQueuedWrites(['written offline']);
    bo.offline = true;
    await bo.restart(); // the app runs offline, so it has not pushed
    bo.offline = false;
    bo.requests.length = 0;

    // The app's own retry may run at the same time: the outbox lock lets only one of them push it.
    const [report] = await Promise.all([replay(bo), bo.client.syncNow()]);
    (bo.client as unknown as { background: { replayed(): void } }).background.replayed(); // the worker's REPLAYED message
    await until(() => bo.client.syncState().pending === 0, 'the app to take the replay in');
    expect(['sent', 'delivered']).toContain(bo.client.conversation(c).messages[0]?.tick); // Ana's device may have synced already
    expect(bo.count('Push')).toBe(1);
    expect(report.delivered).toBeLessThanOrEqual(1);
    await ana.client.syncNow();
    expect(texts(ana, c)).toEqual(['written offline']);
  });

  it('keeps every write queued when the network fails, the API answers 5xx, or 401 even after a refresh', async () => {
    const { ana, bo, c } = await closedAppWithQueuedWrites(['kept']);

    bo.offline = true;
    await expect(replay(bo)).rejects.toMatchObject({ code: 'NETWORK' });
    bo.offline = false;
    await expect(replay(bo, pushesAnswered(bo, 503))).rejects.toMatchObject({ code: 'NETWORK' });
    await expect(replay(bo, pushesAnswered(bo, 401))).rejects.toMatchObject({ code: 'UNAUTHENTICATED' });
    await ana.client.syncNow();
    expect(texts(ana, c)).toEqual([]);

    expect(await replay(bo)).toEqual({ delivered: 1, refused: 0, left: 0 });
    await ana.client.syncNow();
    expect(texts(ana, c)).toEqual(['kept']);
  });

  it('moves a refused write aside for the app to roll back and show; the writes behind it still go', async () => {
    // The first write comes from a clock that jumped an hour ahead while offline (the device
    // could not learn the server's time meanwhile): the server refuses it.
    let skew = 0;
    const { ana, bo, c, boId } = await closedAppWithQueuedWrites(['from a fast clock'], {
      skew: () => skew,
      offline: () => {
        skew = 3_600_000;
      },
    });
    const group = await ana.client.createGroup('Climbing', [boId]);
    skew = 0;
    bo.offline = true;
    await bo.restart(); // a new app run: its clock starts from the wall clock again
    bo.client.send(group, 'on time');
    await bo.client.close();
    bo.offline = false;

    expect(await replay(bo)).toEqual({ delivered: 1, refused: 1, left: 0 });
    await ana.client.syncNow();
    await until(() => texts(ana, group).includes('on time'), 'the write behind the refused one to arrive');
    expect(texts(ana, c)).toEqual([]);

    await bo.restart();
    await until(() => bo.client.conversation(c).messages[0]?.tick === 'failed', 'the refusal to show');
    expect(bo.client.conversation(c).messages).toMatchObject([
      { text: 'from a fast clock', tick: 'failed', failure: { code: 'FORBIDDEN_UPDATE', retryable: true } },
    ]);
    await bo.client.syncNow();
    // Rolled back: the refused message is no longer in the document, only shown as failed.
    bo.client.dismiss(bo.client.conversation(c).messages[0]?.id ?? '');
    expect(texts(bo, c)).toEqual([]);
    expect(texts(bo, group)).toEqual(['on time']);
  });

  it('keeps the writes of a device signed out for good, for the app to report when it opens', async () => {
    const { ana, bo, c, boHandle } = await closedAppWithQueuedWrites(['never sent']);
    const laptop = device('bo-laptop');
    await laptop.client.signIn({ handle: boHandle, password: PASSWORD });
    const phone = (await laptop.client.devices()).find((d) => !d.isCurrent);
    await laptop.client.revokeDevice(phone?.id ?? '');

    expect(await replay(bo)).toEqual({ delivered: 0, refused: 0, left: 1, skipped: 'SIGNED_OUT' });

    await bo.restart();
    await until(() => bo.client.session() === null, 'the app to learn it was signed out');
    expect(bo.client.syncState().problem).toMatch(/signed out.*1 change made on it had not been sent/s);
    await ana.client.syncNow();
    expect(texts(ana, c)).toEqual([]);
  });
});

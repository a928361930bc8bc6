import { describe, it } from 'vitest';
import { anaAndBo, startApi, texts, until, useDevices } from './harness.js';

const api = startApi();

describe('going live after a sync', () => {
  const device = useDevices(api);

  it('receives what was written between its catch-up and the moment its live stream opened', async () => {
    const { ana, bo, c } = await anaAndBo(device);
    ana.client.send(c, 'first');
    await until(() => ana.client.syncState().pending === 0, 'Ana to push');

    // Bo's app starts again; its live stream is slow to open, so it opens after the catch-up.
    bo.offline = true;
    await bo.restart();
    let open = () => {};
    const slow = new Promise<void>((resolve) => {
      open = resolve;
    });
    bo.hold = (request) => (request === 'Events' ? slow : undefined);
    bo.offline = false;
    await bo.client.syncNow();
    await until(() => texts(bo, c).includes('first'), 'Bo to catch up');
    await until(() => bo.count('Events') > 0, 'Bo to start its live stream');

    // Written after Bo's catch-up, published before Bo's stream was there to hear it.
    ana.client.send(c, 'in the gap');
    await until(() => ana.client.syncState().pending === 0, 'Ana to push');
    bo.hold = null;
    open();
    await until(() => texts(bo, c).includes('in the gap'), 'Bo to receive the message written in the gap', 10_000);
  });
});

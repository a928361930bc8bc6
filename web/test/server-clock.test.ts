import { describe, expect, it } from 'vitest';
import { ServerClock, TRUSTED_SKEW_MS } from '../src/sync/server-clock.js';

const HOUR = 3_600_000;
const header = (ms: number) => new Date(ms).toUTCString();

describe('the server clock', () => {
  it('keeps the local clock while it is within the trusted skew', () => {
    let local = Date.parse('2026-12-06T12:00:00.300Z');
    const clock = new ServerClock(() => local);
    expect(clock.observe(header(local + 10_000), local, local + 40)).toBe(false);
    expect(clock.now()).toBe(local);
    local += 5;
    expect(clock.now()).toBe(local);
  });

  it('corrects a device an hour fast to the server time, within the header precision', () => {
    const server = Date.parse('2026-12-06T12:00:00.000Z') + 700;
    const local = server + HOUR;
    const clock = new ServerClock(() => local);
    expect(clock.observe(header(server), local - 20, local + 20)).toBe(true);
    expect(Math.abs(clock.now() - server)).toBeLessThanOrEqual(1000);
  });

  it('corrects a slow device too, and goes back to the local clock once it is put right', () => {
    const server = Date.parse('2026-12-06T12:00:00.000Z');
    let local = server - 2 * HOUR;
    const clock = new ServerClock(() => local);
    clock.observe(header(server), local, local);
    expect(Math.abs(clock.now() - server)).toBeLessThanOrEqual(1000);
    local = server; // the person fixed the clock
    expect(clock.observe(header(server), local, local)).toBe(true);
    expect(clock.offset).toBe(0);
  });

  it('does not move for the header rounding of later answers', () => {
    const server = Date.parse('2026-12-06T12:00:00.000Z');
    let local = server + HOUR;
    const clock = new ServerClock(() => local);
    clock.observe(header(server), local, local);
    const offset = clock.offset;
    local += 999;
    expect(clock.observe(header(server + 999), local, local)).toBe(false);
    expect(clock.offset).toBe(offset);
  });

  it('ignores answers without a readable Date header, and starts from a stored offset', () => {
    const clock = new ServerClock(() => 1_000_000, -TRUSTED_SKEW_MS * 3);
    expect(clock.observe(null, 0, 0)).toBe(false);
    expect(clock.observe('not a date', 0, 0)).toBe(false);
    expect(clock.now()).toBe(1_000_000 - TRUSTED_SKEW_MS * 3);
  });
});

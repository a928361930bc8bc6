import { describe, expect, it } from 'vitest';
import webpush from 'web-push';
import { VapidHeaders } from '../src/notifications/vapid-headers.js';
import { verifyVapid } from './push-service.js';

const HOUR = 3600;
const keys = { subject: 'mailto:ops@example.com', ...webpush.generateVAPIDKeys() };

describe('VAPID headers', () => {
  it('signs one JWT per push service origin and reuses it for every push to that service', () => {
    const start = Date.now();
    const headers = new VapidHeaders(keys, () => start);
    const google = headers.for('https://fcm.googleapis.com/fcm/send/device-a');
    expect(headers.for('https://fcm.googleapis.com/fcm/send/device-b')).toBe(google);
    const claims = verifyVapid(google, 'https://fcm.googleapis.com', keys.publicKey);
    expect(claims).toMatchObject({ aud: 'https://fcm.googleapis.com', sub: keys.subject, exp: Math.floor(start / 1000) + 12 * HOUR });

    const mozilla = headers.for('https://updates.push.services.mozilla.com/wpush/v2/device-c');
    expect(mozilla).not.toBe(google);
    expect(verifyVapid(mozilla, 'https://updates.push.services.mozilla.com', keys.publicKey).aud).toBe(
      'https://updates.push.services.mozilla.com',
    );
  });

  it('signs again an hour before the JWT would expire, never sending one about to lapse', () => {
    let now = Date.now();
    const headers = new VapidHeaders(keys, () => now);
    const endpoint = 'https://web.push.apple.com/device-d';
    const first = headers.for(endpoint);
    now += (11 * HOUR - 1) * 1000;
    expect(headers.for(endpoint)).toBe(first);
    now += 1000;
    const renewed = headers.for(endpoint);
    expect(renewed).not.toBe(first);
    const exp = (header: string) => verifyVapid(header, 'https://web.push.apple.com', keys.publicKey).exp;
    expect(exp(renewed) - exp(first)).toBe(11 * HOUR);
  });
});

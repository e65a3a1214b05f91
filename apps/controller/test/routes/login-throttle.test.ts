import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { hashPassword, passwordChecksRunning, verifyPassword } from '../../src/lib/password.js';
import { addressKey } from '../../src/services/auth/login-throttle.js';
import { createHarness, type Harness, json } from '../helpers/harness.js';

/*
 * Login is where anyone can make the controller spend CPU (scrypt) without a credential. Wrong
 * passwords are limited per user and per source address, refused with a clear 429 and
 * Retry-After, and password checks cannot take the thread pool the controller's file reads use.
 */

let h: Harness;
afterEach(async () => h?.close());

/** A login from `address` (the TCP peer, as @hono/node-server reports it). */
function loginFrom(address: string, username: string, password: string) {
  return h.core.app.request(
    '/v1/auth/login',
    {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username, password }),
    },
    { incoming: { socket: { remoteAddress: address } } },
  );
}

async function statuses(responses: Array<Response | Promise<Response>>) {
  const all = await Promise.all(responses);
  const count = (s: number) => all.filter((r) => r.status === s).length;
  return { all, ok: count(200), wrong: count(401), limited: count(429) };
}

describe('login rate limits', () => {
  it('checks at most 10 of 60 parallel wrong passwords for one user; the rest get 429', async () => {
    // A stopped clock: on a loaded machine the storm must not outlast a refill.
    h = await createHarness({ manualClock: true });
    const storm = Array.from({ length: 60 }, (_, i) =>
      loginFrom(`198.51.100.${i + 1}`, 'admin', `wrong password ${i}`),
    );
    const s = await statuses(storm);
    expect([s.wrong, s.limited]).toEqual([10, 50]);
    const refused = s.all.find((r) => r.status === 429) as Response;
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
    const body = await json<{ code: string; msg: string }>(refused);
    expect(body.code).toBe('rate_limited');
    expect(body.msg).toMatch(/too many failed logins for this user; try again in \d+ s/);
    // The right password is refused too while the user's allowance is used up.
    expect((await loginFrom('203.0.113.9', 'admin', h.adminPassword)).status).toBe(429);
  });

  it('limits one address across usernames, and only that address', async () => {
    h = await createHarness({ manualClock: true });
    const storm = Array.from({ length: 60 }, (_, i) =>
      loginFrom('198.51.100.7', `nobody${i}`, 'wrong password'),
    );
    const s = await statuses(storm);
    expect([s.wrong, s.limited]).toEqual([30, 30]);
    const refused = s.all.find((r) => r.status === 429) as Response;
    expect((await json<{ msg: string }>(refused)).msg).toMatch(/from your address/);
    expect((await loginFrom('198.51.100.8', 'admin', h.adminPassword)).status).toBe(200);
  });

  it('counts failures only: successful logins give their allowance back', async () => {
    h = await createHarness();
    for (let i = 0; i < 15; i++) {
      expect((await loginFrom('198.51.100.7', 'admin', h.adminPassword)).status).toBe(200);
    }
  });

  it('lets a user try again once the allowance has refilled', async () => {
    h = await createHarness({ manualClock: true });
    for (let i = 0; i < 10; i++) await loginFrom(`198.51.100.${i + 1}`, 'admin', 'wrong one');
    expect((await loginFrom('203.0.113.1', 'admin', h.adminPassword)).status).toBe(429);
    h.clock?.advance(6_000);
    expect((await loginFrom('203.0.113.1', 'admin', h.adminPassword)).status).toBe(200);
  });

  it('counts an IPv6 /64 as one address and a mapped IPv4 address as itself', () => {
    expect(addressKey('2001:db8:1:2:aaaa::1')).toBe(addressKey('2001:db8:1:2::ffff'));
    expect(addressKey('2001:db8:1:2::1')).not.toBe(addressKey('2001:db8:1:3::1'));
    expect(addressKey('::ffff:198.51.100.7')).toBe('198.51.100.7');
    expect(addressKey(undefined)).toBe('unknown');
  });
});

describe('password checks and the thread pool', () => {
  it('leave threads free: a file read finishes before the first of 8 parallel checks', async () => {
    const stored = await hashPassword('the right password');
    const order: string[] = [];
    const checks = Array.from({ length: 8 }, (_, i) =>
      verifyPassword(`wrong ${i}`, stored).then(() => order.push('check')),
    );
    expect(passwordChecksRunning()).toBeLessThanOrEqual(2);
    const read = readFile(fileURLToPath(import.meta.url)).then(() => order.push('read'));
    await Promise.all([...checks, read]);
    expect(order[0]).toBe('read');
  });
});

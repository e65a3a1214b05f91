import type { ApiError } from '@apiary/protocol';
import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/lib/clock.js';
import type { Principal } from '../../src/services/auth/principal.js';
import { ConsoleTickets } from '../../src/services/consoles/console-tickets.js';

/*
 * Unused console tickets are held in memory, bounded per user and per organization: one tenant
 * must not be able to use up the controller-wide bound and leave every other tenant without
 * consoles (320 API keys x 32 tickets used to fill the 10,000 global cap).
 */

const member = (org: string, user: string, key: string): Principal => ({
  via: 'api_key',
  scopes: null,
  role: 'member',
  orgId: org,
  userId: user,
  apiKeyId: key,
  sessionId: null,
});

function issue(tickets: ConsoleTickets, principal: Principal) {
  return tickets.issue({ vmId: 'vm', vmName: 'vm', kind: 'serial', principal, requestId: 'req_x' });
}

/** Issues until refused; returns how many were issued and the refusal. */
function flood(tickets: ConsoleTickets, principals: Principal[], each: number) {
  let issued = 0;
  let refusal: ApiError | undefined;
  for (const p of principals) {
    for (let i = 0; i < each; i++) {
      try {
        issue(tickets, p);
        issued++;
      } catch (error) {
        refusal = error as ApiError;
      }
    }
  }
  return { issued, refusal };
}

describe('console tickets are bounded per tenant', () => {
  it("one member with hundreds of API keys cannot use up other organizations' tickets", () => {
    const tickets = new ConsoleTickets({ clock: new ManualClock(0), ttlMs: 60_000 });
    const keys = Array.from({ length: 320 }, (_, i) => member('org_a', 'user_a', `key_${i}`));
    const { issued, refusal } = flood(tickets, keys, 32);
    expect(issued).toBe(32);
    expect(refusal?.code).toBe('rate_limited');
    expect(refusal?.message).toMatch(/you hold 32 already/);
    expect(refusal?.retryAfterSeconds).toBe(60);
    expect(() => issue(tickets, member('org_b', 'user_b', 'key_b'))).not.toThrow();
  });

  it("one organization's many members cannot use up the others' share", () => {
    const tickets = new ConsoleTickets({ clock: new ManualClock(0), ttlMs: 60_000 });
    const users = Array.from({ length: 400 }, (_, i) => member('org_a', `user_${i}`, `key_${i}`));
    const { issued, refusal } = flood(tickets, users, 32);
    expect(issued).toBe(256);
    expect(refusal?.message).toMatch(/your organization holds 256 already/);
    expect(() => issue(tickets, member('org_b', 'user_b', 'key_b'))).not.toThrow();
  });

  it('gives a share back when a ticket is spent or expires', () => {
    const clock = new ManualClock(0);
    const tickets = new ConsoleTickets({ clock, ttlMs: 1_000, limits: { perUser: 2 } });
    const alice = member('org_a', 'alice', 'key_1');
    const first = issue(tickets, alice);
    issue(tickets, alice);
    expect(() => issue(tickets, alice)).toThrow(/too many unused console tickets/);
    expect(tickets.consume(first.ticket)).not.toBeNull();
    expect(() => issue(tickets, alice)).not.toThrow();
    clock.advance(1_000);
    expect(tickets.size).toBe(0);
    expect(() => issue(tickets, alice)).not.toThrow();
  });
});

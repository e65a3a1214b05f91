import type { ApiError } from '@apiary/protocol';
import { describe, expect, it } from 'vitest';
import type { Database } from '../../src/db/database.js';
import { ManualClock } from '../../src/lib/clock.js';
import type { Principal } from '../../src/services/auth/principal.js';
import {
  type ConsoleTicketOptions,
  ConsoleTickets,
} from '../../src/services/consoles/console-tickets.js';
import { engines, withDb } from '../db/engine-fixtures.js';

/*
 * Unused console tickets live in the database, bounded per user and per organization: one
 * tenant must not be able to use up the controller-wide bound and leave every other tenant
 * without consoles (320 API keys x 32 tickets used to fill the global cap). Every controller of
 * an installation honours a ticket another issued, once.
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

const ticketsOn = (d: Database, o: Omit<ConsoleTicketOptions, 'db' | 't'>) =>
  new ConsoleTickets({ db: d.db, t: d.t, ...o });

function issue(tickets: ConsoleTickets, principal: Principal) {
  return tickets.issue({ vmId: 'vm', vmName: 'vm', kind: 'serial', principal, requestId: 'req_x' });
}

/** Issues `each` per principal; returns how many were issued and the last refusal. */
async function flood(tickets: ConsoleTickets, principals: Principal[], each: number) {
  let issued = 0;
  let refusal: ApiError | undefined;
  for (const p of principals) {
    for (let i = 0; i < each; i++) {
      try {
        await issue(tickets, p);
        issued++;
      } catch (error) {
        refusal = error as ApiError;
      }
    }
  }
  return { issued, refusal };
}

describe.each(engines())('console tickets on %s', (_engine, open) => {
  it("one member with many API keys cannot use up other organizations' tickets", () =>
    withDb(open, async (d) => {
      const tickets = ticketsOn(d, { clock: new ManualClock(0), ttlMs: 60_000 });
      const keys = Array.from({ length: 20 }, (_, i) => member('org_a', 'user_a', `key_${i}`));
      const { issued, refusal } = await flood(tickets, keys, 32);
      expect(issued).toBe(32);
      expect(refusal?.code).toBe('rate_limited');
      expect(refusal?.message).toMatch(/you hold 32 already/);
      expect(refusal?.retryAfterSeconds).toBe(60);
      await expect(issue(tickets, member('org_b', 'user_b', 'key_b'))).resolves.toBeDefined();
    }));

  it("one organization's many members cannot use up the others' share", () =>
    withDb(open, async (d) => {
      const tickets = ticketsOn(d, { clock: new ManualClock(0), ttlMs: 60_000 });
      const users = Array.from({ length: 10 }, (_, i) => member('org_a', `user_${i}`, `key_${i}`));
      const { issued, refusal } = await flood(tickets, users, 32);
      expect(issued).toBe(256);
      expect(refusal?.message).toMatch(/your organization holds 256 already/);
      await expect(issue(tickets, member('org_b', 'user_b', 'key_b'))).resolves.toBeDefined();
    }));

  it('gives a share back when a ticket is spent or expires', () =>
    withDb(open, async (d) => {
      const clock = new ManualClock(0);
      const tickets = ticketsOn(d, { clock, ttlMs: 1_000, limits: { perUser: 2 } });
      const alice = member('org_a', 'alice', 'key_1');
      const first = await issue(tickets, alice);
      await issue(tickets, alice);
      await expect(issue(tickets, alice)).rejects.toThrow(/too many unused console tickets/);
      expect(await tickets.consume(first.ticket)).not.toBeNull();
      await issue(tickets, alice);
      clock.advance(1_000);
      expect(await tickets.count()).toBe(0);
      await issue(tickets, alice);
    }));

  it('is spent once, on whichever controller the websocket reaches', () =>
    withDb(open, async (d) => {
      const clock = new ManualClock(0);
      const issuer = ticketsOn(d, { clock, ttlMs: 60_000 });
      const other = ticketsOn(d, { clock, ttlMs: 60_000 });
      const { ticket } = await issue(issuer, member('org_a', 'alice', 'key_1'));
      const spends = await Promise.all([other.consume(ticket), issuer.consume(ticket)]);
      expect(spends.filter((g) => g !== null)).toEqual([
        expect.objectContaining({ vmId: 'vm', kind: 'serial', principal: expect.any(Object) }),
      ]);
      // An expired ticket opens nothing either.
      const late = await issue(issuer, member('org_a', 'alice', 'key_1'));
      clock.advance(60_000);
      expect(await other.consume(late.ticket)).toBeNull();
    }));
});

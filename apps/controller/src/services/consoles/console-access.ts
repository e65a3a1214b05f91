import type { Agent as HttpsAgent } from 'node:https';
import {
  ApiError,
  agentConsolePaths,
  CloseCode,
  CONSOLE_STATES,
  type ConsoleTicket,
  consoleAvailable,
} from '@apiary/protocol';
import { currentRequestId } from '@apiary/server-kit';
import { eq } from 'drizzle-orm';
import { certificateChangedError } from '../../agents/agent-trust.js';
import type { Ctx } from '../../context.js';

import { iso } from '../../lib/clock.js';
import { canSeeOrg, type Principal } from '../auth/principal.js';
import { isPrincipalCurrent } from '../auth/principal-current.js';
import { findVm } from '../envs/addressing.js';
import type { VmRow } from '../envs/env-view.js';
import { getHostRow } from '../hosts/host-view.js';
import type { ConsoleGrant, ConsoleKind } from './console-tickets.js';

/** The websocket path of every console; the ticket (in the query) says which VM and kind. */
export const CONSOLE_SOCKET_PATHS = ['/v1/console', '/api/console'] as const;

/** Why a console cannot be opened now, as an ApiError (or null when it can). */
async function consoleBlocker(ctx: Ctx, vm: VmRow, kind: ConsoleKind): Promise<ApiError | null> {
  if (!consoleAvailable(vm.state, kind)) {
    return new ApiError(
      'conflict',
      `VM ${vm.name} is ${vm.state}: the ${kind} console needs it ${CONSOLE_STATES[kind].join(' or ')}`,
    );
  }
  const host = vm.hostId ? await getHostRow(ctx, vm.hostId) : null;
  if (!host) return new ApiError('conflict', `VM ${vm.name} is on no known host`);
  if ((ctx.liveness.state(host.id) ?? host.liveness) === 'down') {
    return new ApiError('unavailable', `host ${host.hostname} of VM ${vm.name} is down`);
  }
  return null;
}

/**
 * `POST /v1/vms/{id}/console`: a single-use ticket for the caller, this VM and this kind of
 * console. Whoever may use the VM may use its console (a console controls the VM, like stop).
 */
export async function issueConsoleTicket(
  ctx: Ctx,
  p: Principal,
  vmName: string,
  kind: ConsoleKind,
  org?: string,
): Promise<ConsoleTicket> {
  const vm = await findVm(ctx, p, vmName, org);
  const blocker = await consoleBlocker(ctx, vm, kind);
  if (blocker) throw blocker;
  const { ticket, expiresAt } = await ctx.consoleTickets.issue({
    vmId: vm.id,
    vmName: vm.name,
    kind,
    principal: p,
    requestId: currentRequestId() ?? 'none',
  });
  return {
    url: `${CONSOLE_SOCKET_PATHS[0]}?ticket=${ticket}`,
    ticket,
    expires_at: iso(expiresAt),
  };
}

/** Where the controller connects for a console: the agent's websocket and how to authenticate. */
export interface ConsoleTarget {
  url: string;
  headers: Record<string, string>;
  hostId: string;
  /** For `wss:`: holds the connection to the agent's pinned certificate. */
  agent?: HttpsAgent;
}

/** A refusal after the ticket was accepted: a websocket close code and a reason people read. */
export class ConsoleRefusal extends Error {
  constructor(
    readonly closeCode: number,
    readonly reason: string,
  ) {
    super(reason);
  }
}

const CLOSE_FOR: Record<string, number> = {
  not_found: CloseCode.notFound,
  conflict: CloseCode.conflict,
  unavailable: CloseCode.unavailable,
};

/**
 * Checks a spent ticket's grant again, now: the caller's credential may have been revoked and
 * the VM stopped or deleted since the ticket was issued. Returns the agent websocket to dial.
 */
export async function resolveConsoleTarget(ctx: Ctx, grant: ConsoleGrant): Promise<ConsoleTarget> {
  const { vms } = ctx.t;
  const vm = (await ctx.db.select().from(vms).where(eq(vms.id, grant.vmId)))[0];
  if (!vm || vm.state === 'deleted' || !canSeeOrg(grant.principal, vm.orgId)) {
    throw new ConsoleRefusal(CloseCode.notFound, `VM ${grant.vmName} no longer exists`);
  }
  const blocker = await consoleBlocker(ctx, vm, grant.kind);
  if (blocker)
    throw new ConsoleRefusal(CLOSE_FOR[blocker.code] ?? CloseCode.conflict, blocker.message);
  const host = await getHostRow(ctx, vm.hostId ?? '');
  if (!host?.agentKeyEnc) {
    throw new ConsoleRefusal(
      CloseCode.unavailable,
      `the controller holds no key for host ${vm.hostId}`,
    );
  }
  const refused = certificateChangedError(host);
  if (refused) throw new ConsoleRefusal(CloseCode.unavailable, refused.message);
  // The agent key stays between controller and agent: the browser never sees it.
  return {
    ...ctx.agents.socketTarget(host, agentConsolePaths[grant.kind](vm.id)),
    hostId: host.id,
  };
}

/**
 * Spends a ticket: its grant, or null when the ticket is unknown, used, expired, or the
 * credential of the caller who asked for it has since been revoked or has expired.
 */
export async function spendConsoleTicket(ctx: Ctx, ticket: string): Promise<ConsoleGrant | null> {
  const grant = await ctx.consoleTickets.consume(ticket);
  if (!grant || !(await isPrincipalCurrent(ctx, grant.principal))) return null;
  return grant;
}

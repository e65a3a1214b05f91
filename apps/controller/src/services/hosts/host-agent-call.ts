import { type AgentClient, ApiError } from '@apiary/protocol';
import { and, eq, inArray } from 'drizzle-orm';
import type { Ctx } from '../../context.js';
import { type Principal, requireRole } from '../auth/principal.js';
import { internalVmIdsIn, withVmNames } from '../vm-changes/agent-words.js';
import { getVisibleHost, type HostRow } from './host-view.js';

/*
 * A host's links, networks and storage live on its agent; the controller passes each request
 * through (issue 14). Who may: super-admins and the org admins of the host's organization.
 * Another organization's host is 404 before anything else (a tenant never learns it exists);
 * a too-low role in the host's own organization is 403. What the agent refuses (4xx) comes back
 * with its status and words, internal VM ids put as names; a host that cannot answer is a
 * plain 503 naming it.
 */

/** How an agent refuses a key below a route's role (apps/agent/src/http/key-auth.ts). */
const KEY_ROLE_REFUSAL = /^this key has role (\w+); \w+ is required$/;

export interface HostCall {
  host: HostRow;
  /** Names of the VMs on this host, by internal id (what agents call them). */
  vmNames: (ids: readonly string[]) => Promise<Map<string, string>>;
}

/** The host `id` if the caller administers it: 404 for other organizations', 403 below admin. */
export async function getAdministeredHost(
  ctx: Ctx,
  p: Principal,
  id: string,
  action: string,
): Promise<HostRow> {
  const host = await getVisibleHost(ctx, p, id);
  requireRole(p, 'org_admin', action);
  return host;
}

/**
 * Calls the agent of a host the caller administers. `action` names what is done, for refusals
 * ("listing the links of a host"). Changes are tried once: a create that timed out may have
 * happened, and repeating it blindly would only be refused as a duplicate.
 */
export async function callHostAgent<T>(
  ctx: Ctx,
  p: Principal,
  hostId: string,
  o: { action: string; change: boolean },
  call: (agent: AgentClient, options: { timeoutMs: number; retries?: number }) => Promise<T>,
): Promise<{ result: T } & HostCall> {
  const host = await getAdministeredHost(ctx, p, hostId, o.action);
  const vmNames = (ids: readonly string[]) => vmNamesOnHost(ctx, host.id, ids);
  if ((ctx.liveness.state(host.id) ?? host.liveness) === 'down') {
    throw unavailable(`host ${host.hostname} is down (no recent heartbeat)`);
  }
  const timeoutMs = ctx.config.agentTimeoutMs;
  try {
    const options = o.change ? { timeoutMs, retries: 0 } : { timeoutMs };
    return { result: await call(ctx.agents.forHost(host), options), host, vmNames };
  } catch (error) {
    throw await explain(host, timeoutMs, error, vmNames);
  }
}

function unavailable(msg: string): ApiError {
  return new ApiError('unavailable', msg, { forClient: true, retryable: true });
}

async function explain(
  host: HostRow,
  timeoutMs: number,
  error: unknown,
  vmNames: HostCall['vmNames'],
): Promise<ApiError> {
  const name = host.hostname;
  if (!(error instanceof ApiError)) {
    return new ApiError('upstream_failed', `host ${name} failed to answer: ${String(error)}`, {
      forClient: true,
    });
  }
  switch (error.code) {
    case 'timeout':
      return unavailable(`host ${name} did not answer within ${timeoutMs / 1000}s`);
    case 'unavailable':
      return unavailable(`host ${name} does not answer: ${error.message}`);
    case 'precondition_failed':
      // The pinned certificate changed: the error already says what the operator must do.
      return error;
    case 'unauthenticated':
      return new ApiError('upstream_failed', `host ${name} refused the controller's agent key`, {
        forClient: true,
      });
  }
  // The controller's own key is too weak (a host added by address with an operator key, or an
  // agent older than issue 14): not the caller's doing, so not a 403 for them.
  const weakKey = KEY_ROLE_REFUSAL.exec(error.message);
  if (error.code === 'forbidden' && weakKey) {
    return new ApiError(
      'upstream_failed',
      `host ${name} gave the controller a key of role ${weakKey[1]}; this needs an admin key (re-register the agent, or add the host again with an admin key)`,
      { forClient: true },
    );
  }
  // The agent's own refusal (and a full pool, 507): its status and words, for the caller.
  if (error.status < 500 || error.code === 'insufficient_storage') {
    const ids = internalVmIdsIn(error.message);
    const msg = ids.length > 0 ? withVmNames(error.message, await vmNames(ids)) : error.message;
    return new ApiError(error.code, msg, {
      details: error.details,
      retryable: error.retryable,
      forClient: true,
      cause: error,
    });
  }
  return new ApiError('upstream_failed', `host ${name} failed (${error.code})`, {
    forClient: true,
    cause: error,
  });
}

/** Agents name VMs by internal id; on a host, those are the VMs placed there. */
async function vmNamesOnHost(
  ctx: Ctx,
  hostId: string,
  ids: readonly string[],
): Promise<Map<string, string>> {
  if (ids.length === 0) return new Map();
  const { vms } = ctx.t;
  const rows = await ctx.db
    .select({ id: vms.id, name: vms.name })
    .from(vms)
    .where(and(eq(vms.hostId, hostId), inArray(vms.id, [...new Set(ids)])));
  return new Map(rows.map((r) => [r.id, r.name]));
}

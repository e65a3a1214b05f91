import { ApiError } from '@apiary/protocol';
import { and, eq, inArray } from 'drizzle-orm';
import type { Ctx } from '../../context.js';

/*
 * Agents speak of VMs by their internal ids (the zone names, `web-k3j4m5n6-0`); users know them
 * by name (`web-0`), and an internal id must never reach an answer. What an agent says (its
 * refusals, its operation errors, the clones of a snapshot) is put in users' words here.
 */

/** An internal VM id: the environment's id (name prefix + 8 base32) and the VM's index. */
const INTERNAL_VM_ID = /\b[a-z0-9][a-z0-9-]*-[a-z2-7]{8}-\d+\b/g;

/** Names of the VMs of `orgId` with these internal ids (others are left out). */
export async function vmNamesOf(
  ctx: Ctx,
  orgId: string,
  ids: readonly string[],
): Promise<Map<string, string>> {
  if (ids.length === 0) return new Map();
  const { vms } = ctx.t;
  const rows = await ctx.db
    .select({ id: vms.id, name: vms.name })
    .from(vms)
    .where(and(eq(vms.orgId, orgId), inArray(vms.id, [...new Set(ids)])));
  return new Map(rows.map((r) => [r.id, r.name]));
}

/** The internal VM ids `text` mentions. */
export function internalVmIdsIn(text: string): string[] {
  return text.match(INTERNAL_VM_ID) ?? [];
}

/** `text` with every internal VM id replaced by its name in `names` ("a VM" else). */
export function withVmNames(text: string, names: ReadonlyMap<string, string>): string {
  return text.replace(INTERNAL_VM_ID, (id) => names.get(id) ?? 'a VM');
}

/** `text` with every internal VM id of the organization replaced by its name ("a VM" else). */
export async function inUserWords(ctx: Ctx, orgId: string, text: string): Promise<string> {
  const ids = internalVmIdsIn(text);
  if (ids.length === 0) return text;
  return withVmNames(text, await vmNamesOf(ctx, orgId, ids));
}

/** An agent's refusal, reworded for the caller; anything else as it is. */
export async function agentErrorInUserWords(
  ctx: Ctx,
  orgId: string,
  error: unknown,
): Promise<unknown> {
  if (!(error instanceof ApiError)) return error;
  const msg = await inUserWords(ctx, orgId, error.message);
  if (msg === error.message) return error;
  return new ApiError(error.code, msg, {
    retryable: error.retryable,
    requestId: error.requestId,
    forClient: error.forClient,
    cause: error,
  });
}

import { type AgentClient, ApiError, type HostVm, hostHoldsNothing } from '@apiary/protocol';
import { VmOpError } from './vm-op-error.js';

/**
 * Trust nothing the agent merely implies: a finished delete operation, a 404 or a VM missing
 * from an inventory all say "gone" only by omission. A VM leaves the books when its agent's
 * listing of the host (`GET /api/host/vms`, read from the host, not from the agent's database)
 * shows no zone of ours, no dataset, no link and no record for it. Throws `delete_unconfirmed`
 * otherwise, so the VM stays `deleting` and the reaper tries again.
 */
export async function confirmGone(client: AgentClient, vmId: string): Promise<void> {
  const listing = await client.listHostVms().catch((error: unknown) => {
    if (error instanceof ApiError && error.code === 'not_found') {
      throw new VmOpError(
        'delete_unconfirmed',
        `the agent cannot list what its host holds (too old?): ${vmId} is not assumed gone`,
      );
    }
    throw error;
  });
  if (hostHoldsNothing(listing, vmId)) return;
  const item = listing.items.find((i) => i.id === vmId) as HostVm;
  throw new VmOpError(
    'delete_unconfirmed',
    `the host still holds ${describeHolding(item).join(', ')} of ${vmId}`,
  );
}

/** What a listing shows of one id, in words (`zone (running)`, `dataset rpool/...`). */
export function describeHolding(item: HostVm): string[] {
  const held: string[] = [];
  if (item.zone_state !== null) {
    held.push(`${item.apiary === false ? 'a foreign ' : ''}zone (${item.zone_state})`);
  }
  for (const ds of item.datasets) held.push(`dataset ${ds}`);
  for (const link of item.links) held.push(`link ${link}`);
  if (item.agent_state !== null) held.push(`an agent record (${item.agent_state})`);
  return held;
}

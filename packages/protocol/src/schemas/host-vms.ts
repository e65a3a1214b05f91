import { z } from 'zod';
import { Timestamp } from './common.js';
import { VmState } from './vm.js';

/**
 * What a host itself holds under one VM id, read from the host by its agent (`zoneadm list`,
 * `zfs list`, `dladm show-vnic`: one command each for the whole host), not from the agent's
 * database. The controller uses it to tell "gone" from "not reported": a VM is gone only when
 * its id has no Apiary zone, no dataset and no link here.
 */
export const HostVm = z.object({
  /** The zone name, or the dataset name under the agent's VM root (a VM id when Apiary made it). */
  id: z.string().min(1).max(64),
  /** The zone's state (`zoneadm list`), or null when no zone of that name exists. */
  zone_state: z.string().nullable(),
  /**
   * The zone carries Apiary's VM id (a zonecfg attr equal to its name): an Apiary agent made
   * it. False for a zone someone else made; null when there is no zone.
   */
  apiary: z.boolean().nullable(),
  env_id: z.string().nullable(),
  /** When the VM was created (the agent's record, else the zone's attr); null when unknown. */
  created_at: Timestamp.nullable(),
  /** Datasets under the agent's VM root for this id (the VM dataset and its disks). */
  datasets: z.array(z.string()),
  /** VNICs that exist on the host and belong to this id (its network slot, or its zone's). */
  links: z.array(z.string()),
  /** The agent's own record of the VM, or null when it has none. */
  agent_state: VmState.nullable(),
  /** An operation (create, delete, ...) is running on the VM right now. */
  busy: z.boolean(),
});
export type HostVm = z.infer<typeof HostVm>;

/** `GET /api/host/vms`: every id the host holds anything for, or the agent knows. */
export const HostVmListing = z.object({
  /** When the agent began reading the host: what the listing shows is at least this recent. */
  checked_at: Timestamp,
  items: z.array(HostVm),
});
export type HostVmListing = z.infer<typeof HostVmListing>;

/** Whether a listing shows nothing left of `id` on its host: no Apiary zone, dataset or link. */
export function hostHoldsNothing(listing: HostVmListing, id: string): boolean {
  const item = listing.items.find((i) => i.id === id);
  if (!item) return true;
  const zone = item.zone_state !== null && item.apiary !== false;
  return (
    !zone && item.datasets.length === 0 && item.links.length === 0 && item.agent_state === null
  );
}

/**
 * Something a host holds under a VM id the controller has no live record of, as the controller's
 * reconcile pass last saw it (`Host.orphans`). Apiary-made ones are removed after a grace
 * period under `--orphan-policy remove`; others (zones someone else made) are only reported.
 */
export const HostOrphan = z.object({
  id: z.string(),
  /** Made by an Apiary agent (its zone carries our id, or only Apiary datasets/records are left). */
  apiary: z.boolean(),
  zone_state: z.string().nullable(),
  /** What the host holds, in words: `zone (running)`, `dataset rpool/apiary/vms/x`, ... */
  holds: z.array(z.string()),
  first_seen_at: Timestamp,
  last_seen_at: Timestamp,
  /** When the controller last asked the agent to remove it (remove policy), and why that failed. */
  removal_requested_at: Timestamp.nullable(),
  removal_error: z.string().nullable(),
});
export type HostOrphan = z.infer<typeof HostOrphan>;

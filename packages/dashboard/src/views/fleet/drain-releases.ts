import type { Drain } from '@apiary/protocol';

/** What the drain panel says about moved VMs whose copy the drained host still holds. */
export interface DrainReleaseNote {
  /** `1 moved VM still has its old copy here (removal retried)`. */
  text: string;
  /** The VMs whose removal failed so far, with the controller's warning for each. */
  vms: { id: string; warning: string }[];
}

/**
 * A `migrate` drain is not finished while the host keeps a copy of a VM that already runs on its
 * new host (the controller retries the removal): the panel says how many, and why for each whose
 * removal failed. Null when there is none.
 */
export function drainReleaseNote(
  drain: Pick<Drain, 'vms_releasing' | 'vms'>,
): DrainReleaseNote | null {
  const count = drain.vms_releasing ?? 0;
  if (count === 0) return null;
  const vms = drain.vms.flatMap((v) => (v.warning ? [{ id: v.id, warning: v.warning }] : []));
  const subject = count === 1 ? '1 moved VM still has its' : `${count} moved VMs still have their`;
  return { text: `${subject} old copy here (removal retried)`, vms };
}

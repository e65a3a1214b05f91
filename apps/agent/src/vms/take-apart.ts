import { CREATE_STEPS } from './create-steps.js';
import { type HostVmsDeps, readHostVms, residueOf } from './host-vms.js';
import { runUndo } from './saga.js';
import type { VmContext } from './vm-context.js';
import { toFailure } from './vm-view.js';

/**
 * Remove everything of a VM from the host (the undo of every create step) and then look: the
 * VM's record may go only once the host shows no zone of ours, no dataset and no link for it.
 * An undo that "succeeded" is not proof (a step may not know what an adopted or half-made VM
 * holds): the host is. Returns what is still there, in words; empty when the VM is gone.
 */
export async function takeApart(
  ctx: VmContext,
  host: HostVmsDeps,
  onStep?: (step: string) => void,
): Promise<string[]> {
  const undo = async () => {
    const failures = await runUndo(CREATE_STEPS, ctx, undefined, onStep);
    return failures.map((f) => `${f.step}: ${toFailure(f.error).msg}`);
  };
  const look = async () => {
    const listing = await readHostVms(host, ctx.vm.id);
    return residueOf(listing.items.find((i) => i.id === ctx.vm.id)).map(
      (what) => `${what} is still on the host`,
    );
  };
  // A create that failed and was fully undone gave its slot back and holds nothing: looking is
  // enough. Anything else is undone first.
  if (ctx.vm.slot !== null) {
    const failed = await undo();
    if (failed.length > 0) return failed;
    return look();
  }
  const left = await look();
  if (left.length === 0) return [];
  const failed = await undo();
  return failed.length > 0 ? failed : look();
}

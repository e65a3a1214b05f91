import type { HostExec } from './exec.js';

/** SMF services the agent restarts (svcadm(8)); a fixed list, never a name from a request. */
export const VARPD_SERVICE = 'svc:/network/varpd:default';

const RESTARTABLE = new Set([VARPD_SERVICE]);

/** `svcadm restart FMRI`. */
export async function restartService(exec: HostExec, fmri: string): Promise<void> {
  if (!RESTARTABLE.has(fmri)) throw new TypeError(`the agent does not restart ${fmri}`);
  await exec.run('svcadm', ['restart', fmri]);
}

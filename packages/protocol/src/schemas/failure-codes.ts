import { z } from 'zod';
import { ErrorCode } from './errors.js';

/**
 * Why a VM, an operation or an environment failed: the `code` of `FailureInfo`. Every
 * `ErrorCode` can be one (an agent call refused with `conflict` fails the VM with `conflict`);
 * the rest name failures that have no HTTP counterpart.
 */
export const FAILURE_CODE_DOCS = {
  boot_failed: 'the zone did not stay running after boot (bhyve could not start the VM)',
  zone_missing: 'the agent knows the VM but its zone is not on the host',
  lost: 'the agent no longer knows the operation and the VM does not tell its outcome',
  host_missing: 'the VM is recorded on a host the controller no longer knows',
  not_reported:
    'the host’s inventory no longer lists the VM; it is shown as unknown, never assumed gone',
  image_missing: 'the VM’s image is no longer stored on the controller',
  delete_incomplete: 'some VMs of an environment could not be deleted; deletion is retried',
  delete_unconfirmed:
    'the agent said the VM was deleted (or unknown), but its listing of the host still shows the VM’s zone, datasets or links; the VM stays deleting and deletion is retried',
  create_failed: 'creating the VM failed without a more specific reason from the agent',
  start_failed: 'starting the VM failed without a more specific reason from the agent',
  stop_failed: 'stopping the VM failed without a more specific reason from the agent',
  restart_failed: 'restarting the VM failed without a more specific reason from the agent',
  delete_failed: 'deleting the VM failed without a more specific reason from the agent',
  recipe_failed:
    'a step of the VM’s serial-console recipe failed (a pattern that never came, the console unavailable); the message names the step and ends with the transcript’s tail',
  migrate_failed:
    'moving the VM to another host failed without a more specific reason from an agent; the VM stayed whole where it was',
} as const;

export const FailureCode = z.enum([
  ...ErrorCode.options,
  ...(Object.keys(FAILURE_CODE_DOCS) as Array<keyof typeof FAILURE_CODE_DOCS>),
]);
export type FailureCode = z.infer<typeof FailureCode>;

/** The failure code for an action that failed with no reason more specific than the action. */
export function actionFailedCode(action: 'create' | 'start' | 'stop' | 'restart' | 'delete') {
  return `${action}_failed` as const satisfies FailureCode;
}

/**
 * A failure as recorded on a VM, operation or environment. A code this version does not know
 * (a newer agent's) reads as `internal` rather than failing the whole report it came in.
 */
export const FailureInfo = z.object({
  code: FailureCode.catch('internal'),
  msg: z.string(),
});
export type FailureInfo = z.infer<typeof FailureInfo>;

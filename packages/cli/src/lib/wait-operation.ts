import {
  type ControllerClient,
  type VmOperation,
  type VmOperationKind,
  vmOperationSettled,
} from '@apiary/protocol';
import type { Output } from './output.js';
import { progressBar } from './progress-bar.js';
import { sleep } from './wait.js';

/** How each kind of change is said in progress lines: `resize web-1: running (agent)`. */
export const OPERATION_VERBS: Record<VmOperationKind, string> = {
  update: 'change',
  add_disk: 'add disk to',
  remove_disk: 'remove disk from',
  attach_cdrom: 'attach CD-ROM to',
  detach_cdrom: 'detach CD-ROM from',
  snapshot: 'snapshot',
  rollback: 'roll back',
  delete_snapshot: 'delete snapshot of',
  clone: 'clone',
  publish_image: 'publish image from',
  migrate: 'move',
};

/** One progress line: what, on which VM, in which state and step. */
export function progressLine(operation: VmOperation): string {
  const step = operation.step ? ` (${operation.step})` : '';
  const bar =
    operation.progress && operation.state === 'running'
      ? ` ${progressBar(operation.progress)}`
      : '';
  return `${OPERATION_VERBS[operation.kind]} ${operation.vm_id}: ${operation.state}${step}${bar}`;
}

/**
 * Polls `GET /v1/operations/{id}` until the operation succeeds or fails, printing a line on
 * stderr each time its state or step moves. Returns the settled operation; a failed one is
 * returned, not thrown, so the caller can still show the VM as it stands.
 */
export async function waitForOperation(
  client: Pick<ControllerClient, 'getVmOperation'>,
  accepted: VmOperation,
  out: Output,
  options: { org?: string; intervalMs?: number; timeoutMs?: number } = {},
): Promise<VmOperation> {
  const deadline = Date.now() + (options.timeoutMs ?? 30 * 60_000);
  let operation = accepted;
  let last = '';
  for (;;) {
    const line = progressLine(operation);
    if (line !== last) out.info(line);
    last = line;
    if (vmOperationSettled(operation)) return operation;
    if (Date.now() > deadline) {
      throw new Error(
        `gave up waiting for operation ${operation.id} (still ${operation.state}); ` +
          `follow it with 'apiary operations show ${operation.id}'`,
      );
    }
    await sleep(options.intervalMs ?? 500);
    operation = await client.getVmOperation({
      params: { id: accepted.id },
      query: options.org ? { org: options.org } : undefined,
    });
  }
}

import { ApiError, type Vm, type VmOperation, type VmOperationAccepted } from '@apiary/protocol';
import type { CliContext } from './context.js';
import type { HostView } from './host-names.js';
import { waitForOperation } from './wait-operation.js';

/** What every change command prints: the VM as it stands (the new one for a clone) and its operation. */
export interface ChangeOutcome {
  vm: Vm;
  operation: VmOperation;
}

export interface ChangeOptions {
  /** `--no-wait` sets it false: return once the controller accepted the change. */
  wait?: boolean;
  org?: string;
}

/**
 * Sends a change, then (unless `--no-wait`) follows its operation to the end with progress on
 * stderr, re-reads the VM it changed or made, prints both, and exits 1 if the operation failed.
 */
export async function runChange(
  ctx: CliContext,
  o: ChangeOptions,
  send: () => Promise<VmOperationAccepted>,
  render: (outcome: ChangeOutcome, view: HostView) => string,
): Promise<void> {
  const client = ctx.client();
  const accepted = await send();
  const view = await ctx.hostView();
  if (o.wait === false) {
    ctx.out.result(accepted, (a) =>
      [
        render(a, view),
        `operation ${a.operation.id} ${a.operation.state}: follow it with 'apiary operations show ${a.operation.id}'`,
      ].join('\n'),
    );
    return;
  }
  const operation = await waitForOperation(client, accepted.operation, ctx.out, { org: o.org });
  const id = operation.result?.vm_id ?? accepted.vm.id;
  let vm = accepted.vm;
  try {
    vm = await client.getVm({ params: { id }, query: o.org ? { org: o.org } : undefined });
  } catch (error) {
    // A VM deleted meanwhile is shown as it was when the change was accepted.
    if (!(error instanceof ApiError && error.code === 'not_found')) throw error;
  }
  ctx.out.result({ vm, operation }, (outcome) =>
    operation.state === 'failed'
      ? `${render(outcome, view)}\nfailed: ${operation.error?.msg ?? 'no reason given'} (${operation.error?.code ?? 'internal'})`
      : render(outcome, view),
  );
  if (operation.state === 'failed') process.exitCode = 1;
}

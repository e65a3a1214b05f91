import type { VmOperation } from '@apiary/protocol';
import { yellow } from '../lib/color.js';
import type { HostView } from '../lib/host-names.js';
import type { ChangeOutcome } from '../lib/run-change.js';
import { renderVm } from './render-env.js';

/**
 * The operation's warning as its own line, e.g. a migration whose old host has not removed its
 * copy yet (the controller retries it); empty when there is none.
 */
export function warningLine(operation: Pick<VmOperation, 'warning'>): string {
  return operation.warning ? `\n${yellow(`warning: ${operation.warning}`)}` : '';
}

/** `apiary vms migrate`: the VM where it stands now, where it moved from, and any warning. */
export function renderMigration({ vm, operation }: ChangeOutcome, view: HostView): string {
  const r = operation.result;
  const moved = r?.to_host
    ? `\nmoved from ${r.from_host} to ${r.to_host}, ${r.downtime_ms ?? 0} ms down`
    : '';
  return `${renderVm(vm, view)}${moved}${warningLine(operation)}`;
}

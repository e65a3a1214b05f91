import { ControllerVmState, type Env, type Vm } from '@apiary/protocol';
import { UsageError } from './errors.js';
import type { HostView } from './host-names.js';

/** `apiary vms list` filters, as typed. */
export interface VmFilter {
  env?: string;
  /** A hostname or a host id. */
  host?: string;
  state?: string;
}

/**
 * Every VM of the given environments that passes the filters. There is no `GET /v1/vms`: the
 * environments carry their VMs, and the hosts list names their hosts.
 */
export function filterVms(envs: Env[], view: HostView, filter: VmFilter): Vm[] {
  if (filter.state !== undefined && !ControllerVmState.safeParse(filter.state).success) {
    throw new UsageError(`--state is one of ${ControllerVmState.options.join(', ')}`);
  }
  const hostIds = filter.host === undefined ? null : matchingHostIds(view, filter.host);
  return envs
    .filter((e) => filter.env === undefined || e.id === filter.env)
    .flatMap((e) => e.vms)
    .filter((v) => filter.state === undefined || v.state === filter.state)
    .filter((v) => hostIds === null || (v.host_id !== null && hostIds.has(v.host_id)));
}

/** The ids a `--host` value names: a host id, or every host of that hostname. */
function matchingHostIds(view: HostView, host: string): Set<string> {
  const ids = new Set<string>([host]);
  for (const [id, name] of view.names) if (name === host) ids.add(id);
  return ids;
}

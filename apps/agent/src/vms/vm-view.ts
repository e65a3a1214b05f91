import type { AgentVm, FailureInfo, VmState } from '@apiary/protocol';
import { ApiError } from '@apiary/protocol';
import type { Db } from '../db/open.js';
import { HostCommandError } from '../host/host-command-error.js';
import type { Layout } from '../host/layout.js';
import { ZoneBootError } from '../host/zone-boot.js';
import type { ZoneState } from '../host/zoneadm.js';
import { allNics, type VmNicRow } from '../network/network-store.js';
import { StepFailure } from './saga.js';
import { allPortRows, toAgentVm, type VmRow } from './vm-store.js';

/**
 * VMs as the API shows them: port map from the allocations; IP from the slot, or for a VM
 * that named its networks, its primary NIC's address, with every NIC listed.
 */
export function presentVms(db: Db, layout: Layout, rows: VmRow[]): AgentVm[] {
  const nics = new Map<string, VmNicRow[]>();
  for (const n of allNics(db)) nics.set(n.vmId, [...(nics.get(n.vmId) ?? []), n]);
  const ports = new Map<string, Record<string, number>>();
  const wanted = new Set(rows.map((r) => r.id));
  for (const p of allPortRows(db)) {
    if (!wanted.has(p.vmId)) continue;
    const map = ports.get(p.vmId) ?? {};
    map[String(p.guestPort)] = p.hostPort;
    ports.set(p.vmId, map);
  }
  return rows.map((r) => {
    const own = (nics.get(r.id) ?? []).sort((a, b) => a.idx - b.idx);
    if (own.length === 0)
      return toAgentVm(r, r.slot === null ? null : layout.ip(r.slot), ports.get(r.id) ?? {});
    return {
      ...toAgentVm(r, own[0]?.ip ?? null, ports.get(r.id) ?? {}),
      nics: own.map((n) => ({ network: n.network, vnic: n.vnic, ip: n.ip })),
    };
  });
}

/** What a VM's state is, judging by its zone (when no operation is changing it). */
export function stateFromZone(zone: ZoneState | null): VmState {
  switch (zone) {
    case 'running':
      return 'running';
    case 'installed':
    case 'ready':
      return 'stopped';
    case 'shutting_down':
    case 'down':
      return 'stopping';
    default:
      return 'failed';
  }
}

/** The error kept on a failed VM or operation: short, and specific enough to act on. */
export function toFailure(error: unknown): FailureInfo {
  const step = error instanceof StepFailure ? error.step : null;
  const cause = error instanceof StepFailure ? error.cause : error;
  const where = step ? `${step}: ` : '';
  if (cause instanceof ApiError) return { code: cause.code, msg: `${where}${cause.message}` };
  // The zone came up and went down again: init.log's reason, which is what an operator needs.
  if (cause instanceof ZoneBootError)
    return { code: 'boot_failed', msg: `${where}${cause.message}` };
  if (cause instanceof HostCommandError) {
    const detail = cause.timedOut
      ? 'timed out'
      : (cause.stderr.trim().split('\n')[0] ?? '').slice(0, 200);
    return {
      code: 'host_command_failed',
      msg: `${where}${cause.argv.slice(0, 2).join(' ')}: ${detail}`,
    };
  }
  return {
    code: 'internal',
    msg: `${where}${(cause as Error)?.message ?? String(cause)}`.slice(0, 300),
  };
}

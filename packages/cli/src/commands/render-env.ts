import { type Env, formatDuration, formatTimeLeft, sshCommand, type Vm } from '@apiary/protocol';
import { stateColor } from '../lib/color.js';
import { type HostView, hostLabel } from '../lib/host-names.js';
import { details, table } from '../lib/output.js';
import { describeDisks, describePending, shortDigest } from './render-vm-change.js';

export function remaining(env: Env, now = Date.now()): string {
  if (env.state === 'deleted') return 'deleted';
  return formatTimeLeft(Math.round((Date.parse(env.expires_at) - now) / 1000));
}

/**
 * When the environment ends: its expiry, or for a deleted one when it was deleted (its last
 * state change), since a deleted environment will not expire.
 */
export function endLine(env: Env, now = Date.now()): [string, string] {
  if (env.state !== 'deleted') return ['expires', `${env.expires_at} (in ${remaining(env, now)})`];
  const ago = Math.max(0, Math.round((now - Date.parse(env.updated_at)) / 1000));
  return ['deleted', `${env.updated_at} (${formatDuration(ago)} ago)`];
}

export function portMap(vm: Vm): string {
  const host = vm.host_addr ?? '?';
  return Object.entries(vm.port_map)
    .map(([guest, hostPort]) => `${host}:${hostPort}->${guest}`)
    .join(' ');
}

export function renderEnvs(envs: Env[]): string {
  return table(
    ['ID', 'OWNER', 'STATE', 'VMS', 'EXPIRES IN', 'CREATED'],
    envs.map((e) => [
      e.id,
      e.owner ?? '-',
      stateColor(e.state),
      e.vms.length,
      remaining(e),
      e.created_at,
    ]),
  );
}

export function renderVms(vms: Vm[], view: HostView): string {
  return table(
    ['VM', 'STATE', 'HOST', 'IP', 'CPU', 'MEM', 'PORTS'],
    vms.map((v) => [
      v.id,
      stateColor(v.state),
      hostLabel(view, v.host_id),
      v.ip ?? '-',
      v.cpu,
      v.mem,
      portMap(v),
    ]),
  );
}

export function renderEnv(env: Env, view: HostView): string {
  const head = details([
    ['id', env.id],
    ['owner', env.owner],
    ['state', stateColor(env.state)],
    ['organization', env.org_id],
    ['created', env.created_at],
    endLine(env),
    ['error', env.error ? `${env.error.msg} (${env.error.code})` : null],
  ]);
  return `${head}\n\n${renderVms(env.vms, view)}`;
}

export function renderVm(vm: Vm, view: HostView): string {
  return details([
    ['id', vm.id],
    ['environment', vm.env_id],
    ['state', stateColor(vm.state)],
    ['host', hostLabel(view, vm.host_id)],
    ['ip', vm.ip],
    [
      vm.boot_iso ? 'boot ISO' : 'image',
      vm.image_digest ? `${vm.image} (${shortDigest(vm.image_digest)})` : vm.image,
    ],
    ['cpu', vm.cpu],
    ['memory MiB', vm.mem],
    ['disk MiB', vm.disk],
    ['data disks', describeDisks(vm.disks)],
    ['cdrom', vm.cdrom ? shortDigest(vm.cdrom) : null],
    ['pending', describePending(vm.pending_changes)],
    ['ports', portMap(vm) || '-'],
    ['deny outgoing', vm.deny_outgoing],
    ['operation', vm.operation_id],
    ['error', vm.error ? `${vm.error.msg} (${vm.error.code})` : null],
    ['ssh', sshCommand(vm)],
  ]);
}

/** `apiary vms list`: one line per VM, its host by hostname. */
export function renderVmList(vms: Vm[], view: HostView): string {
  return table(
    ['VM', 'ENV', 'STATE', 'HOST', 'CPU', 'MEM MiB', 'DISK MiB', 'ADDRESS'],
    vms.map((v) => [
      v.id,
      v.env_id,
      stateColor(v.state),
      hostLabel(view, v.host_id),
      v.cpu,
      v.mem,
      v.disk,
      v.ip ?? '-',
    ]),
  );
}

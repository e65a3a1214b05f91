import type { PendingChanges, VmMachine } from '@apiary/protocol';
import type { VmRow } from './vm-store.js';

/*
 * A VM's machine: what its zone gives bhyve (vCPUs, memory, boot disk size, data disks, the
 * CD-ROM). The record holds the machine asked for; a running zone keeps the one it was booted
 * with (`booted`) until its next boot, and the difference is what the VM shows as pending.
 */

export interface DataDisk {
  n: number;
  /** MiB. */
  size: number;
}

export function disksOf(vm: Pick<VmRow, 'disks'>): DataDisk[] {
  return (JSON.parse(vm.disks) as DataDisk[]).sort((a, b) => a.n - b.n);
}

export function machineOf(vm: VmRow): VmMachine {
  return {
    cpu: vm.cpu,
    mem: vm.mem,
    disk: vm.disk,
    disks: disksOf(vm),
    cdrom: vm.cdrom as VmMachine['cdrom'],
  };
}

/** The record's fields for a machine (a rollback or an undo writes them back). */
export function machineFields(
  m: VmMachine,
): Pick<VmRow, 'cpu' | 'mem' | 'disk' | 'disks' | 'cdrom'> {
  return { cpu: m.cpu, mem: m.mem, disk: m.disk, disks: JSON.stringify(m.disks), cdrom: m.cdrom };
}

/** Fields a running VM does not have yet; null when it runs the machine it is recorded with. */
export function pendingChanges(vm: VmRow): PendingChanges {
  if (vm.state !== 'running' || !vm.booted) return null;
  const booted = JSON.parse(vm.booted) as VmMachine;
  const now = machineOf(vm);
  const out: NonNullable<PendingChanges> = {};
  if (now.cpu !== booted.cpu) out.cpu = now.cpu;
  if (now.mem !== booted.mem) out.mem = now.mem;
  if (now.disk !== booted.disk) out.disk = now.disk;
  if (JSON.stringify(now.disks) !== JSON.stringify(booted.disks)) out.disks = now.disks;
  if (now.cdrom !== booted.cdrom) out.cdrom = now.cdrom;
  return Object.keys(out).length > 0 ? out : null;
}

/** Data disks the running zone was booted with (those a running VM cannot lose). */
export function bootedDisks(vm: VmRow): DataDisk[] {
  if (!vm.booted) return [];
  return (JSON.parse(vm.booted) as VmMachine).disks;
}

/** The lowest bhyve disk slot not taken. */
export function freeDiskSlot(disks: DataDisk[], max: number): number | null {
  for (let n = 0; n < max; n++) if (!disks.some((d) => d.n === n)) return n;
  return null;
}

import {
  formatBytes,
  formatMiB,
  type IntakeProgress,
  type PendingChanges,
  type VmDisk,
  type VmMachine,
  type VmOperation,
  type VmSnapshot,
} from '@apiary/protocol';
import { stateColor, yellow } from '../lib/color.js';
import { details, table } from '../lib/output.js';

/** `sha256:3f2a9c1d4e5b...`: enough of a digest to tell images apart. */
export function shortDigest(digest: string): string {
  return `${digest.slice(0, 19)}...`;
}

/** `disk0 20 GiB (1.5 GiB used)` per data disk, or `-`. */
export function describeDisks(disks: readonly VmDisk[] | undefined): string {
  if (!disks || disks.length === 0) return '-';
  return disks
    .map((d) => {
      const used = d.used === null ? '' : ` (${formatBytes(d.used)} used)`;
      return `disk${d.n} ${formatMiB(d.size)}${used}`;
    })
    .join(', ');
}

/** `cpu 4, memory 8 GiB, +disk1 20 GiB`: what a running VM gets at its next start. */
export function describePending(pending: PendingChanges | undefined): string | null {
  if (!pending) return null;
  const parts: string[] = [];
  if (pending.cpu !== undefined) parts.push(`cpu ${pending.cpu}`);
  if (pending.mem !== undefined) parts.push(`memory ${formatMiB(pending.mem)}`);
  if (pending.disk !== undefined) parts.push(`boot disk ${formatMiB(pending.disk)}`);
  if (pending.disks !== undefined) {
    const disks = pending.disks.map((d) => `disk${d.n} ${formatMiB(d.size)}`);
    parts.push(`data disks ${disks.join(', ') || 'none'}`);
  }
  if (pending.cdrom !== undefined) {
    parts.push(`CD-ROM ${pending.cdrom ? shortDigest(pending.cdrom) : 'none'}`);
  }
  return parts.length > 0 ? `${parts.join('; ')} (at next start)` : null;
}

/** `2 vCPU, 1 GiB, boot 40 GiB, +1 disk`: the machine a snapshot keeps. */
export function describeMachine(m: VmMachine): string {
  const extra =
    m.disks.length > 0 ? `, +${m.disks.length} disk${m.disks.length > 1 ? 's' : ''}` : '';
  const cdrom = m.cdrom ? ', CD-ROM' : '';
  return `${m.cpu} vCPU, ${formatMiB(m.mem)}, boot ${formatMiB(m.disk)}${extra}${cdrom}`;
}

export function renderDisks(disks: readonly VmDisk[]): string {
  return table(
    ['DISK', 'SIZE', 'USED'],
    disks.map((d) => [
      `disk${d.n}`,
      formatMiB(d.size),
      d.used === null ? '-' : formatBytes(d.used),
    ]),
  );
}

export function renderSnapshots(snapshots: readonly VmSnapshot[]): string {
  return table(
    ['NAME', 'CREATED', 'MACHINE', 'USED', 'CLONES'],
    snapshots.map((s) => [
      s.name,
      s.created_at,
      describeMachine(s.machine),
      s.used === null ? '-' : formatBytes(s.used),
      s.clones.join(' ') || '-',
    ]),
  );
}

/** What a succeeded operation made: the cloned VM, the published image. */
function describeResult(result: VmOperation['result']): string | null {
  if (!result) return null;
  const parts: string[] = [];
  if (result.vm_id) parts.push(`VM ${result.vm_id}`);
  if (result.image) parts.push(`image ${result.image}`);
  if (result.image_digest) parts.push(result.image_digest);
  return parts.join(' ') || null;
}

/** An image intake's phase and download: `download 1.5 MiB of 3.0 MiB`. */
function intakeProgressText(p: IntakeProgress): string {
  const of = p.bytes_total === null ? '' : ` of ${formatBytes(p.bytes_total)}`;
  return p.phase === 'download' ? `download ${formatBytes(p.bytes_received)}${of}` : p.phase;
}

export function renderOperation(o: VmOperation): string {
  return details([
    ['operation', o.id],
    ['vm', o.vm_id],
    ['kind', o.kind],
    ['state', stateColor(o.state)],
    ['step', o.step],
    ['phase', o.intake ? intakeProgressText(o.intake) : null],
    ['error', o.error ? `${o.error.msg} (${o.error.code})` : null],
    // E.g. a migration whose old host has not removed its copy yet (retried by the controller).
    ['warning', o.warning ? yellow(o.warning) : null],
    ['result', describeResult(o.result)],
    ['created', o.created_at],
    ['updated', o.updated_at],
  ]);
}

export function renderOperations(operations: readonly VmOperation[]): string {
  return table(
    ['OPERATION', 'KIND', 'STATE', 'STEP', 'CREATED', 'ERROR'],
    operations.map((o) => [
      o.id,
      o.kind,
      stateColor(o.state),
      o.step ?? '-',
      o.created_at,
      o.error ? o.error.msg : '-',
    ]),
  );
}

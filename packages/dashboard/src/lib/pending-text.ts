import { formatMiB, type PendingChanges } from '@apiary/protocol';

/** `4 vCPU, 8 GiB memory, 2 data disks`: what a running VM gets at its next start. */
export function pendingText(pending: NonNullable<PendingChanges>): string {
  const parts: string[] = [];
  if (pending.cpu !== undefined) parts.push(`${pending.cpu} vCPU`);
  if (pending.mem !== undefined) parts.push(`${formatMiB(pending.mem)} memory`);
  if (pending.disk !== undefined) parts.push(`${formatMiB(pending.disk)} boot disk`);
  if (pending.disks !== undefined) {
    parts.push(`${pending.disks.length} data disk${pending.disks.length === 1 ? '' : 's'}`);
  }
  if (pending.cdrom !== undefined) parts.push(pending.cdrom ? 'an ISO in the CD-ROM' : 'no CD-ROM');
  return parts.join(', ');
}

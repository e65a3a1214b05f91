import type { Logger } from '@apiary/server-kit';
import type { Db } from '../db/open.js';
import { portAllocations } from '../db/schema.js';
import type { HostExec } from '../host/exec.js';
import type { ZoneListEntry } from '../host/zoneadm.js';
import { exportZoneConfig } from '../host/zonecfg.js';
import { zoneAttrs } from '../host/zonecfg-format.js';
import { getVm, insertVm, usedSlots, type VmRow } from './vm-store.js';
import { stateFromZone } from './vm-view.js';
import { ISO_BOOTORDER, MACHINE_ATTR } from './zone-machine.js';
import { ATTR, readPortAttrs } from './zone-spec.js';

/** Data disks, CD-ROM and ISO boot as `machineResources` recorded them in the zone. */
function readMachineAttrs(attrs: Record<string, string>) {
  const disks = (attrs[MACHINE_ATTR.disks] ?? '')
    .split(',')
    .filter(Boolean)
    .map((d) => d.split(':').map(Number))
    .map(([n, size]) => ({ n: n ?? 0, size: size ?? 0 }));
  return {
    disks: JSON.stringify(disks),
    cdrom: attrs[MACHINE_ATTR.cdrom] || null,
    bootIso: attrs.bootorder === ISO_BOOTORDER,
  };
}

/**
 * Take into the database a zone that carries our VM id but has no record: the host is the
 * source of truth, so such a zone is a VM this agent made and lost track of (a lost or restored
 * database), never something to ignore. Its network slot is kept unless another VM holds it.
 * Returns the new record, or null when the zone is not ours (or is already known).
 */
export async function adoptZone(
  deps: { db: Db; exec: HostExec; log: Logger },
  zone: Pick<ZoneListEntry, 'name' | 'state'>,
): Promise<VmRow | null> {
  const { db, exec, log } = deps;
  if (getVm(db, zone.name)) return null;
  const config = await exportZoneConfig(exec, zone.name);
  const attrs = config ? zoneAttrs(config) : {};
  if (attrs[ATTR.vmId] !== zone.name) return null;
  const slot = Number(attrs[ATTR.slot]);
  const ports = readPortAttrs(attrs);
  const now = new Date().toISOString();
  const row = db.transaction((txDb) => {
    const tx = txDb as unknown as Db;
    if (getVm(tx, zone.name)) return null;
    const slotFree = Number.isInteger(slot) && !usedSlots(tx).has(slot);
    const inserted = insertVm(tx, {
      id: zone.name,
      envId: attrs[ATTR.envId] ?? 'unknown',
      image: attrs[ATTR.image] ?? '',
      imageDigest: attrs[ATTR.imageDigest] || null,
      cpu: Number(attrs[ATTR.cpu] ?? 0),
      mem: Number(attrs[ATTR.mem] ?? 0),
      disk: Number(attrs[ATTR.disk] ?? 0),
      ...readMachineAttrs(attrs),
      ports: JSON.stringify(ports.map(([guest]) => guest)),
      denyOutgoing: attrs[ATTR.denyOutgoing] === 'true',
      sshKeys: '[]',
      cloneMode: attrs[ATTR.clone] === 'full' ? 'full' : 'thin',
      specHash: 'adopted',
      state: stateFromZone(zone.state),
      slot: slotFree ? slot : null,
      reserved: true,
      needsCleanup: false,
      createdAt: attrs[ATTR.createdAt] ?? now,
      updatedAt: now,
    });
    for (const [guestPort, hostPort] of ports) {
      tx.insert(portAllocations)
        .values({ vmId: zone.name, guestPort, hostPort })
        .onConflictDoNothing()
        .run();
    }
    return inserted;
  });
  if (row) {
    log.warn(
      { vm_id: zone.name, state: zone.state },
      'adopted a VM found on the host but not in the database',
    );
  }
  return row;
}

import { asc } from 'drizzle-orm';
import type { Db } from '../db/open.js';
import { vmNics, vms } from '../db/schema.js';
import type { Layout } from '../host/layout.js';
import type { VmSubject } from './vm-usage.js';

const MIB = 1024 * 1024;

function prepareQuery(db: Db) {
  return db
    .select({ id: vms.id, cpu: vms.cpu, mem: vms.mem, slot: vms.slot })
    .from(vms)
    .orderBy(asc(vms.createdAt), asc(vms.id))
    .prepare();
}

/**
 * The agent's VMs as the sampler needs them, from the database (no host command), with a
 * statement prepared once: this runs at every sample.
 */
export function vmSubjectReader(db: Db, layout: Layout): () => VmSubject[] {
  const query = prepareQuery(db);
  const nicQuery = db.select({ vmId: vmNics.vmId, vnic: vmNics.vnic }).from(vmNics).prepare();
  return () => {
    // A VM's NICs: its slot's VNIC and, when it named networks, theirs (NIC 0 is the slot's).
    const nics = new Map<string, Set<string>>();
    for (const n of nicQuery.all()) nics.set(n.vmId, (nics.get(n.vmId) ?? new Set()).add(n.vnic));
    return query.all().map((row) => ({
      id: row.id,
      vcpus: row.cpu,
      memBytes: row.mem * MIB,
      vnics:
        row.slot === null ? [] : [...new Set([layout.vnic(row.slot), ...(nics.get(row.id) ?? [])])],
    }));
  };
}

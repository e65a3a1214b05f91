import type { Db } from '../db/open.js';
import type { Layout } from '../host/layout.js';
import { listVmRows } from '../vms/vm-store.js';
import type { VmSubject } from './vm-usage.js';

const MIB = 1024 * 1024;

/** The agent's VMs as the sampler needs them, from the database: no host command. */
export function vmSubjects(db: Db, layout: Layout): VmSubject[] {
  return listVmRows(db).map((row) => ({
    id: row.id,
    vcpus: row.cpu,
    memBytes: row.mem * MIB,
    vnics: row.slot === null ? [] : [layout.vnic(row.slot)],
  }));
}

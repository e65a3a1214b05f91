import type { HostVm, HostVmListing } from '@apiary/protocol';
import type { Db } from '../db/open.js';
import { showLinks } from '../host/dladm.js';
import type { HostExec } from '../host/exec.js';
import type { Layout } from '../host/layout.js';
import { listDatasetTree } from '../host/zfs.js';
import { listZones } from '../host/zoneadm.js';
import { exportZoneConfig } from '../host/zonecfg.js';
import { zoneAttrs } from '../host/zonecfg-format.js';
import { allNics } from '../network/network-store.js';
import { listVmRows, type VmRow } from './vm-store.js';
import { ATTR } from './zone-spec.js';

/*
 * What the host holds per VM id, read from the host: the answer to "is this VM really gone?"
 * and to "what is on this host that nobody knows of?". Three listings serve every VM (zones,
 * datasets under the VM root, links); only a zone the database has no record of has its
 * configuration read, to learn whether an Apiary agent made it.
 */

export interface HostVmsDeps {
  db: Db;
  exec: HostExec;
  layout: Layout;
}

/**
 * The listing for the whole host, or (with `only`) for one id. `only` reads that zone's
 * configuration even when the database knows the VM: a delete must not take a foreign zone
 * that happens to carry the VM's name for its own.
 */
export async function readHostVms(deps: HostVmsDeps, only?: string): Promise<HostVmListing> {
  const { db, exec, layout } = deps;
  const checkedAt = new Date().toISOString();
  const [zones, datasets, links] = await Promise.all([
    listZones(exec),
    listDatasetTree(exec, layout.vmsRoot),
    showLinks(exec),
  ]);
  const rows = new Map(listVmRows(db).map((r) => [r.id, r]));
  const vnics = new Set(links.filter((l) => l.class === 'vnic').map((l) => l.link));
  const nicVnics = new Map<string, string[]>();
  for (const n of allNics(db)) nicVnics.set(n.vmId, [...(nicVnics.get(n.vmId) ?? []), n.vnic]);
  const byId = new Map<string, HostVm>();
  const entry = (id: string): HostVm => {
    const known = byId.get(id);
    if (known) return known;
    const row = rows.get(id);
    const item: HostVm = {
      id,
      zone_state: null,
      apiary: null,
      env_id: row?.envId ?? null,
      created_at: validTime(row?.createdAt),
      datasets: [],
      links: row ? vmLinks(layout, row, nicVnics.get(id) ?? [], vnics) : [],
      agent_state: (row?.state ?? null) as HostVm['agent_state'],
      busy: row ? row.operationId !== null : false,
    };
    byId.set(id, item);
    return item;
  };
  for (const zone of zones) {
    if (only !== undefined && zone.name !== only) continue;
    const item = entry(zone.name);
    item.zone_state = zone.state;
    if (rows.has(zone.name) && only === undefined) {
      // The agent made or adopted it (adoption checks the attr).
      item.apiary = true;
      continue;
    }
    const config = await exportZoneConfig(exec, zone.name);
    const attrs = config ? zoneAttrs(config) : {};
    item.apiary = attrs[ATTR.vmId] === zone.name;
    if (!item.apiary) continue;
    item.env_id ??= attrs[ATTR.envId] ?? null;
    item.created_at ??= validTime(attrs[ATTR.createdAt]);
    const nets = (config?.resources ?? []).filter((r) => r.type === 'net');
    for (const net of nets) {
      const physical = net.props.physical;
      if (physical && vnics.has(physical) && !item.links.includes(physical))
        item.links.push(physical);
    }
  }
  const prefix = `${layout.vmsRoot}/`;
  for (const ds of datasets) {
    if (ds.type === 'snapshot' || !ds.name.startsWith(prefix)) continue;
    const id = ds.name.slice(prefix.length).split('/')[0] as string;
    if (only === undefined || id === only) entry(id).datasets.push(ds.name);
  }
  for (const id of rows.keys()) if (only === undefined || id === only) entry(id);
  const items = [...byId.values()].sort((a, b) => a.id.localeCompare(b.id));
  return { checked_at: checkedAt, items };
}

/** What is left of a VM on the host, in words; empty when nothing is (its record aside). */
export function residueOf(item: HostVm | undefined): string[] {
  if (!item) return [];
  const left: string[] = [];
  if (item.zone_state !== null && item.apiary !== false)
    left.push(`zone ${item.id} (${item.zone_state})`);
  for (const ds of item.datasets) left.push(`dataset ${ds}`);
  for (const link of item.links) left.push(`link ${link}`);
  return left;
}

/** The VM's VNICs the host still has: its slot's NAT NIC and the NICs of its networks. */
function vmLinks(layout: Layout, row: VmRow, nics: string[], vnics: Set<string>): string[] {
  const names = new Set(nics);
  if (row.slot !== null) names.add(layout.vnic(row.slot));
  return [...names].filter((n) => vnics.has(n)).sort();
}

function validTime(value: string | undefined): string | null {
  if (!value) return null;
  const ms = Date.parse(value);
  return Number.isNaN(ms) ? null : new Date(ms).toISOString();
}

import {
  ApiError,
  type CreateNetworkReq,
  type InventoryNetwork,
  isEnvNetworkName,
  type Network,
} from '@apiary/protocol';
import { runForward, runUndo, type SagaStep } from '@apiary/server-kit';
import { isNotNull } from 'drizzle-orm';
import type { Db } from '../db/open.js';
import { vms } from '../db/schema.js';
import { createEtherstub, showLinks } from '../host/dladm.js';
import { deleteEtherstubIfPresent } from '../host/dladm-links.js';
import { intToIp } from '../host/layout.js';
import { planAddressing, rangeText } from './address-range.js';
import type { LinksContext } from './host-links-service.js';
import { isApiaryLink } from './link-ownership.js';
import {
  allNics,
  deleteNetworkRow,
  getNetworkRow,
  insertNetworkRow,
  listNetworkRows,
  markNetworkReady,
  type NetworkRow,
  nicsOnNetwork,
} from './network-store.js';

/*
 * Networks VMs join. `nat` is built in (the host network of host-network.ts) and always there.
 * A `bridged` network needs nothing on the host until a VM joins it (its VNIC goes straight
 * over the link, tagged with the VLAN id); a `private` one is an etherstub of its own, made by
 * a saga step with an undo. The row is written `creating` before the host is touched, so a
 * crash in between is finished or undone at the next start (`reconcileNetworks`).
 */

export interface NetworksContext extends LinksContext {
  /** The inventory changed: bump its generation and tell the controller. */
  onChange: () => void;
}

interface NetCtx {
  ctx: NetworksContext;
  row: NetworkRow;
}

const etherstubStep: SagaStep<NetCtx> = {
  name: 'etherstub',
  when: (c) => c.row.kind === 'private',
  async run(c) {
    await createEtherstub(c.ctx.exec, c.row.link);
  },
  async undo(c) {
    await deleteEtherstubIfPresent(c.ctx.exec, c.row.link);
  },
};

export const NETWORK_STEPS = [etherstubStep];
const noJournal = { begin() {}, complete() {} };

function vmCountOf(db: Db, name: string): number {
  return nicsOnNetwork(db, name).length;
}

function natNetwork(ctx: NetworksContext): Network {
  const { subnet } = ctx.layout;
  // A VM is on nat unless it lists its networks (vm_nics) and nat is not among them.
  const listed = new Map<string, boolean>();
  for (const nic of allNics(ctx.db))
    listed.set(nic.vmId, (listed.get(nic.vmId) ?? false) || nic.network === 'nat');
  const onNat = ctx.db
    .select({ id: vms.id })
    .from(vms)
    .where(isNotNull(vms.slot))
    .all()
    .filter((v) => listed.get(v.id) ?? true).length;
  return {
    name: 'nat',
    kind: 'nat',
    link: ctx.layout.etherstub,
    vlan: null,
    addressing: 'static',
    subnet: subnet.cidr,
    gateway: subnet.gateway,
    dns: [],
    range: `${intToIp(subnet.base + 2)}-${intToIp(subnet.base + 1 + subnet.maxSlot)}`,
    vm_count: onNat,
  };
}

export function presentNetwork(db: Db, row: NetworkRow): Network {
  return {
    name: row.name,
    kind: row.kind,
    link: row.link,
    vlan: row.vlan,
    addressing: row.subnet ? 'static' : 'dhcp',
    subnet: row.subnet,
    gateway: row.gateway,
    dns: JSON.parse(row.dns) as string[],
    range: row.range,
    vm_count: vmCountOf(db, row.name),
  };
}

export function listNetworks(ctx: NetworksContext): Network[] {
  const rows = listNetworkRows(ctx.db).filter((r) => r.state === 'ready');
  return [natNetwork(ctx), ...rows.map((r) => presentNetwork(ctx.db, r))];
}

/** What the inventory says this host offers. */
export function inventoryNetworks(db: Db): InventoryNetwork[] {
  const rows = listNetworkRows(db).filter((r) => r.state === 'ready');
  return [{ name: 'nat', kind: 'nat' }, ...rows.map((r) => ({ name: r.name, kind: r.kind }))];
}

/** `apiaryns<k>0` with the lowest k no network uses (a link name must end in a digit). */
function etherstubName(db: Db): string {
  const used = new Set(listNetworkRows(db).map((r) => r.link));
  for (let k = 1; ; k++) if (!used.has(`apiaryns${k}0`)) return `apiaryns${k}0`;
}

async function checkBridgeLink(ctx: NetworksContext, req: CreateNetworkReq) {
  const link = (await showLinks(ctx.exec)).find((l) => l.link === req.link);
  if (!link) throw new ApiError('not_found', `no link named ${req.link} on this host`);
  if (isApiaryLink(link.link) || !['phys', 'aggr'].includes(link.class))
    throw new ApiError(
      'validation',
      `${req.link} is a ${link.class} link; a bridged network goes over a physical link or an aggregation`,
    );
  const twin = listNetworkRows(ctx.db).find(
    (r) => r.kind === 'bridged' && r.link === req.link && r.vlan === (req.vlan ?? null),
  );
  if (twin)
    throw new ApiError(
      'conflict',
      `network ${twin.name} already bridges ${req.link}${req.vlan ? ` VLAN ${req.vlan}` : ''}`,
    );
}

export async function createNetwork(ctx: NetworksContext, req: CreateNetworkReq): Promise<Network> {
  const addressing = req.subnet ? planAddressing({ ...req, subnet: req.subnet }) : null;
  if (typeof addressing === 'string') throw new ApiError('validation', addressing);
  if (isEnvNetworkName(req.name))
    throw new ApiError('validation', `${req.name}: env-... names are environments' overlays`);
  if (getNetworkRow(ctx.db, req.name))
    throw new ApiError('conflict', `a network named ${req.name} already exists`);
  if (req.kind === 'bridged') await checkBridgeLink(ctx, req);
  const row: NetworkRow = {
    name: req.name,
    kind: req.kind,
    link: req.kind === 'private' ? etherstubName(ctx.db) : (req.link as string),
    vlan: req.vlan ?? null,
    subnet: addressing?.subnet ?? null,
    gateway: addressing?.gateway ?? null,
    dns: JSON.stringify(req.dns ?? []),
    range: addressing ? rangeText(addressing) : null,
    state: 'creating',
    createdAt: new Date().toISOString(),
  };
  try {
    insertNetworkRow(ctx.db, row);
  } catch {
    throw new ApiError('conflict', `a network named ${req.name} already exists`);
  }
  const c: NetCtx = { ctx, row };
  try {
    await runForward(NETWORK_STEPS, c, noJournal, new Set(), { log: ctx.log });
  } catch (failure) {
    const step = (failure as { step?: string }).step;
    const left = await runUndo(NETWORK_STEPS, c, step, undefined, { log: ctx.log });
    // Kept `creating` when the undo left something: the next start tries again.
    if (left.length === 0) deleteNetworkRow(ctx.db, row.name);
    throw (failure as { cause?: unknown }).cause ?? failure;
  }
  markNetworkReady(ctx.db, row.name);
  ctx.log.info({ network: row.name, kind: row.kind, link: row.link }, 'network created');
  ctx.onChange();
  return presentNetwork(ctx.db, { ...row, state: 'ready' });
}

export async function deleteNetwork(ctx: NetworksContext, name: string): Promise<void> {
  if (name === 'nat') throw new ApiError('forbidden', 'nat is the built-in network');
  const row = getNetworkRow(ctx.db, name);
  if (!row) throw new ApiError('not_found', `no network named ${name}`);
  const users = nicsOnNetwork(ctx.db, name).map((n) => n.vmId);
  if (users.length > 0)
    throw new ApiError('conflict', `network ${name} is in use by VM ${users.join(', ')}`, {
      details: users,
    });
  await runUndo(NETWORK_STEPS, { ctx, row }, undefined, undefined, { log: ctx.log }).then(
    (left) => {
      if (left.length > 0) throw left[0]?.error;
    },
  );
  deleteNetworkRow(ctx.db, name);
  ctx.log.info({ network: name }, 'network deleted');
  ctx.onChange();
}

/** At start: undo networks a crash left `creating`, put back a private network's etherstub. */
export async function reconcileNetworks(ctx: NetworksContext): Promise<void> {
  for (const row of listNetworkRows(ctx.db)) {
    const c: NetCtx = { ctx, row };
    if (row.state === 'creating') {
      const left = await runUndo(NETWORK_STEPS, c, undefined, undefined, { log: ctx.log });
      if (left.length === 0) deleteNetworkRow(ctx.db, row.name);
    } else {
      await runForward(NETWORK_STEPS, c, noJournal, new Set(), { log: ctx.log });
    }
  }
}

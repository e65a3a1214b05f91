import { stat } from 'node:fs/promises';
import type { Logger } from '@apiary/server-kit';
import type { Db } from '../db/open.js';
import type { HostExec } from '../host/exec.js';
import { listZoneRules, renderEgressRules } from '../host/ipf.js';
import {
  addNatRules,
  listNatRules,
  normalizeNatRule,
  removeNatRules,
  renderMapRules,
} from '../host/ipnat.js';
import { ipToInt, type Layout } from '../host/layout.js';
import { destroyDataset, listDatasetTree, snapshot } from '../host/zfs.js';
import { getImage, insertImage } from '../images/image-store.js';
import { adoptZone } from './adopt-zone.js';
import { egress, rdrRules } from './create-steps.js';
import type { OperationRunner } from './operation-runner.js';
import { latestOperation, unfinishedOperations } from './operation-store.js';
import type { VmService, ZoneListing } from './vm-service.js';
import { listVmRows, type VmRow } from './vm-store.js';

/*
 * Start-up reconciliation: the host is the source of truth. Zones that carry our VM id but are
 * missing from the database are adopted (never treated as gone), half-imported images are
 * removed, port forwards the kernel lost (host reboot, IP Filter refresh) are put back and
 * forwards that belong to no VM are removed, and interrupted operations are resumed.
 */

export interface ReconcileDeps {
  db: Db;
  exec: HostExec;
  log: Logger;
  layout: Layout;
  runner: OperationRunner;
}

export async function reconcileAtStart(deps: ReconcileDeps & { vms: VmService }): Promise<void> {
  const attempt = async (step: string, task: () => Promise<unknown>) => {
    try {
      await task();
    } catch (error) {
      deps.log.error({ step, error }, 'reconcile step failed');
    }
  };
  // One listing of the zones serves adoption, the VM states and the egress check.
  const zones = await deps.vms.zoneListing().catch((error) => {
    deps.log.error({ step: 'list zones', error }, 'reconcile step failed');
    return null;
  });
  if (zones) {
    await attempt('adopt zones', () => adoptZones(deps, zones));
    await attempt('VM states', () => deps.vms.observeAll(zones));
  }
  // Independent of each other: run side by side so the agent is back quickly after a crash.
  await Promise.all([
    attempt('images', () => reconcileImages(deps)),
    attempt('port forwards', () => reconcileForwards(deps)),
    ...(zones ? [attempt('egress rules', () => reconcileEgress(deps, zones))] : []),
  ]);
  for (const op of unfinishedOperations(deps.db)) {
    deps.log.info(
      {
        operation_id: op.id,
        kind: op.kind,
        vm_id: op.vmId,
        step: op.step,
      },
      'resuming operation',
    );
    deps.runner.schedule(op);
  }
}

/** Retry cleanups that could not finish earlier (called at start and periodically). */
export async function retryCleanups(deps: ReconcileDeps): Promise<void> {
  for (const vm of listVmRows(deps.db).filter((v) => v.needsCleanup && !v.operationId)) {
    const deleting = latestOperation(deps.db, vm.id)?.kind === 'delete';
    const ok = await deps.runner.cleanup(vm, deleting).catch(() => false);
    deps.log.info({ vm_id: vm.id, ok }, 'cleanup retried');
  }
}

/** Running deny_outgoing VMs must have their block rules loaded (a host reboot drops them). */
async function reconcileEgress(deps: ReconcileDeps, listing: ZoneListing): Promise<void> {
  const { db, exec, log, runner } = deps;
  for (const vm of listVmRows(db)) {
    const running = listing.zones.get(vm.id)?.state === 'running';
    if (!vm.denyOutgoing || vm.state !== 'running' || !running) continue;
    const loaded = await listZoneRules(exec, vm.id);
    const wanted = renderEgressRules();
    if (wanted.every((r) => loaded.some((l) => l.startsWith(r)))) continue;
    await egress.run(runner.context(vm, []));
    log.warn({ vm_id: vm.id }, 'restored the egress rules of a VM');
  }
}

async function adoptZones(deps: ReconcileDeps, listing: ZoneListing): Promise<void> {
  for (const zone of listing.zones.values()) await adoptZone(deps, zone);
}

async function reconcileImages(deps: ReconcileDeps): Promise<void> {
  const { db, exec, layout, log } = deps;
  const rows = await listDatasetTree(exec, layout.imagesRoot);
  const snapshots = new Set(rows.filter((r) => r.type === 'snapshot').map((r) => r.name));
  for (const row of rows) {
    const name = row.name.slice(layout.imagesRoot.length + 1);
    if (row.type === 'snapshot' || name.includes('/') || name === '') continue;
    if (name.startsWith('incoming-')) {
      await destroyDataset(exec, row.name, true);
      log.info({ dataset: row.name }, 'removed a half-imported image');
      continue;
    }
    if (!/^[a-f0-9]{64}$/.test(name) || getImage(db, `sha256:${name}`)) continue;
    if (!snapshots.has(layout.imageSnapshot(name)))
      await snapshot(exec, layout.imageSnapshot(name));
    // A filesystem image is a file-backend raw image or an ISO; its size is the file's.
    const iso =
      row.type === 'filesystem'
        ? await stat(layout.real(layout.isoFile(name))).catch(() => null)
        : null;
    const file =
      row.type === 'filesystem'
        ? (iso ?? (await stat(layout.real(layout.imageFile(name))).catch(() => null)))
        : null;
    if (row.type === 'filesystem' && !file) continue;
    insertImage(db, {
      digest: `sha256:${name}`,
      name: null,
      format: iso ? 'iso' : file ? 'raw' : 'zfs-send',
      size: file ? file.size : (row.refer ?? 0),
      location: row.name,
      diskBytes: file ? file.size : (row.volsize ?? 0),
      importedAt: new Date().toISOString(),
    });
    log.warn({ digest: `sha256:${name}` }, 'adopted an image found on the host');
  }
}

/**
 * Port forwards and outbound NAT as the database says they should be. The NAT table is held
 * from reading it to the last change, and operations change it only in turn: a delete that
 * removes its forwards meanwhile can neither get them put back nor be missed.
 */
export function reconcileForwards(deps: ReconcileDeps): Promise<void> {
  return deps.runner.withNatTable(() => reconcileForwardsNow(deps));
}

async function reconcileForwardsNow(deps: ReconcileDeps): Promise<void> {
  const { db, exec, layout, log, runner } = deps;
  const loaded = await listNatRules(exec);
  // The private network's outbound maps go first: IP Filter refreshes drop them with the rest.
  const maps = renderMapRules(layout.externalLink, layout.subnet.cidr).map(normalizeNatRule);
  const lostMaps = maps.filter((r) => !loaded.includes(r));
  if (lostMaps.length) {
    await addNatRules(exec, lostMaps);
    log.warn({ count: lostMaps.length }, 'restored the outbound NAT rules');
  }
  const expected = new Set<string>();
  // A running or stopped VM with an operation is being changed (issue 13): its forwards are
  // the change's to add and remove (its allocations hold removed ones until it succeeds).
  const changing = (v: VmRow) => v.operationId !== null && ['running', 'stopped'].includes(v.state);
  for (const vm of listVmRows(db)) {
    // A VM being created gets its rules from its own saga; one that failed holds none.
    if (vm.slot === null || ['creating', 'importing', 'failed', 'deleting'].includes(vm.state))
      continue;
    if (changing(vm)) continue;
    for (const rule of rdrRules(runner.context(vm, []))) expected.add(normalizeNatRule(rule));
  }
  const creating = new Set(
    listVmRows(db)
      .filter(
        (v) =>
          ['creating', 'importing', 'deleting'].includes(v.state) || v.needsCleanup || changing(v),
      )
      .map((v) => (v.slot === null ? '' : layout.ip(v.slot))),
  );
  const missing = [...expected].filter((r) => !loaded.includes(r));
  const stale = loaded.filter((r) => {
    const m = /^rdr (\S+) \S+ port \d+ -> (\S+) port \d+/.exec(r);
    if (!m || m[1] !== layout.externalLink || expected.has(r)) return false;
    const ip = ipToInt(m[2] as string);
    const inSubnet =
      ip > layout.subnet.base && ip <= layout.subnet.base + layout.subnet.maxSlot + 1;
    return inSubnet && !creating.has(m[2] as string);
  });
  if (missing.length) {
    await addNatRules(exec, missing);
    log.warn({ count: missing.length }, 'restored port forwards the host had lost');
  }
  if (stale.length) {
    await removeNatRules(exec, stale);
    log.warn({ count: stale.length }, 'removed port forwards that belong to no VM');
  }
}

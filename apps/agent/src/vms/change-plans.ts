import { mkdir, rm, truncate, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { ApiError, type VmMachine } from '@apiary/protocol';
import type { Db } from '../db/open.js';
import type { HostExec } from '../host/exec.js';
import { failedWith } from '../host/host-command-error.js';
import { enableZoneFilter, flushZoneRules, loadZoneRules, renderEgressRules } from '../host/ipf.js';
import { addNatRules, removeNatRules, renderRdrRule } from '../host/ipnat.js';
import type { Layout } from '../host/layout.js';
import { createVolume, destroyDataset, listDatasetTree } from '../host/zfs.js';
import {
  destroySnapshot,
  rollbackTo,
  setVolsize,
  snapshotAtomically,
} from '../host/zfs-snapshots.js';
import { getZone, zoneadm } from '../host/zoneadm.js';
import { editZone, type ZoneEdit } from '../host/zonecfg-edit.js';
import type { ZoneConfig } from '../host/zonecfg-format.js';
import type {
  ChangeKind,
  DeleteSnapshotParams,
  MachineChangeParams,
  PortPair,
  RollbackParams,
  SnapshotParams,
  VmNet,
} from './change-params.js';
import { egress, ports } from './create-steps.js';
import type { SagaStep } from './saga-step.js';
import {
  deleteSnapshotRows,
  getSnapshotRow,
  insertSnapshotRow,
  listSnapshotRows,
  setSnapshotUsed,
} from './snapshot-store.js';
import { bootVm, type VmContext, vmIp } from './vm-context.js';
import { machineFields } from './vm-machine.js';
import { deletePortRows, updateVm } from './vm-store.js';
import { machineZoneEdit } from './zone-machine.js';
import { ATTR, portAttrs } from './zone-spec.js';

const MiB = 1024 * 1024;

/*
 * The sagas of VM changes. Each plan is steps (run and undo idempotent, like create's) and what
 * the record gets once they all succeeded or were all undone. Steps that cannot be undone (a
 * disk rolled back or destroyed) come last, from `noReturn` on: a failure there is retried, and
 * if it persists the operation fails with the change half made and safe to repeat, never undone
 * into a state that refers to something gone.
 */
export interface ChangePlan {
  steps: SagaStep[];
  noReturn?: string;
  /** Record changes once every step succeeded. */
  succeeded(db: Db): void;
  /** Record changes once the steps were undone (what the accept reserved is given back). */
  undone(db: Db): void;
  /** Record changes when a step past `noReturn` failed for good (the change is half made). */
  halfDone?(db: Db): void;
  /** The VM's state once done, when the change decides it. */
  finalState?: 'running' | 'stopped';
}

export interface PlanDeps {
  db: Db;
  stopTimeoutMs: number;
}

/** The datasets a machine's disks are: the boot disk, then data disks in slot order. */
export function machineDatasets(ctx: VmContext, m: VmMachine): string[] {
  return [
    ctx.layout.vmDisk(ctx.vm.id),
    ...m.disks.map((d) => ctx.layout.vmDataDisk(ctx.vm.id, d.n)),
  ];
}

function zoneEditFor(ctx: VmContext, m: VmMachine, net: VmNet | null) {
  return (config: ZoneConfig): ZoneEdit => {
    const edit = machineZoneEdit(ctx.layout, ctx.vm, m, config);
    if (net) {
      const attrs = edit.attrs ?? {};
      attrs[ATTR.denyOutgoing] = String(net.denyOutgoing);
      const chunks = portAttrs(net.ports);
      for (const [name, value] of chunks) attrs[name] = value;
      // Chunks a longer list used before.
      for (const r of config.resources) {
        const name = r.props.name;
        if (r.type === 'attr' && name?.startsWith(`${ATTR.ports}-`) && !(name in attrs))
          attrs[name] = null;
      }
      edit.attrs = attrs;
    }
    return edit;
  };
}

function zoneConfigStep(
  ctx: VmContext,
  to: [VmMachine, VmNet | null],
  back: [VmMachine, VmNet | null],
): SagaStep {
  return {
    name: 'zonecfg',
    async run() {
      if (!(await editZone(ctx.exec, ctx.vm.id, zoneEditFor(ctx, ...to), ctx.tmpDir))) {
        throw new ApiError('conflict', `zone ${ctx.vm.id} is not configured on this host`);
      }
    },
    async undo() {
      await editZone(ctx.exec, ctx.vm.id, zoneEditFor(ctx, ...back), ctx.tmpDir);
    },
  };
}

const rdr = (ctx: VmContext, pairs: PortPair[]) =>
  pairs.map((p) => renderRdrRule(ctx.layout.externalLink, { ...p, ip: vmIp(ctx) }));

const same = (a: PortPair, b: PortPair) => a.hostPort === b.hostPort && a.guestPort === b.guestPort;
const minus = (a: PortPair[], b: PortPair[]) => a.filter((p) => !b.some((q) => same(p, q)));

async function isRunning(ctx: VmContext): Promise<boolean> {
  return (await getZone(ctx.exec, ctx.vm.id))?.state === 'running';
}

/** Stop the zone: a graceful shutdown, then a halt when the guest does not go. */
async function stopZone(ctx: VmContext, timeoutMs: number): Promise<void> {
  const zone = await getZone(ctx.exec, ctx.vm.id);
  if (!zone || zone.state === 'installed' || zone.state === 'configured') return;
  await zoneadm(ctx.exec, ctx.vm.id, 'shutdown', timeoutMs).catch(() =>
    zoneadm(ctx.exec, ctx.vm.id, 'halt'),
  );
}

/** update / add_disk / remove_disk / attach_cdrom / detach_cdrom. */
export function machineChangePlan(
  kind: ChangeKind,
  ctx: VmContext,
  p: MachineChangeParams,
): ChangePlan {
  const { before, after, netBefore, netAfter } = p;
  const vmId = ctx.vm.id;
  const file = ctx.storage === 'file';
  const added = after.disks.filter((d) => !before.disks.some((b) => b.n === d.n));
  const removed = before.disks.filter((d) => !after.disks.some((a) => a.n === d.n));
  const netChanged = kind === 'update';
  // The forwards in effect while the change runs are the new ones (the NAT steps add them).
  ctx.ports = netAfter.ports;
  const steps: SagaStep[] = [];
  if (after.cdrom && after.cdrom !== before.cdrom) {
    const digest = after.cdrom;
    steps.push({
      name: 'iso',
      async run() {
        const image = await ctx.images.ensure(digest, 'iso');
        if (image.format !== 'iso') {
          throw new ApiError(
            'validation',
            `image ${digest} is a ${image.format} image, not an iso`,
          );
        }
      },
      // The image store is a shared cache: removing an image is DELETE /api/images.
      async undo() {},
    });
  }
  if (added.length > 0) {
    steps.push({
      name: 'disks',
      async run() {
        for (const d of added) {
          await createVolume(ctx.exec, ctx.layout.vmDataDisk(vmId, d.n), d.size * MiB, true);
        }
      },
      async undo() {
        for (const d of added)
          await destroyDataset(ctx.exec, ctx.layout.vmDataDisk(vmId, d.n), true);
      },
    });
  }
  if (after.disk !== before.disk) {
    steps.push({
      name: 'volsize',
      async run() {
        if (file) await truncate(ctx.layout.real(ctx.layout.vmDiskFile(vmId)), after.disk * MiB);
        else await setVolsize(ctx.exec, ctx.layout.vmDisk(vmId), after.disk * MiB);
      },
      // The guest has not seen the larger disk yet (it sees it at its next boot): shrinking the
      // volume back loses nothing.
      async undo() {
        if (file) await truncate(ctx.layout.real(ctx.layout.vmDiskFile(vmId)), before.disk * MiB);
        else await setVolsize(ctx.exec, ctx.layout.vmDisk(vmId), before.disk * MiB);
      },
    });
  }
  if (p.restart) {
    steps.push({
      name: 'halt',
      async run() {
        if (await isRunning(ctx)) await zoneadm(ctx.exec, vmId, 'halt');
      },
      // It was running when the change was asked: it runs again, with what it had.
      async undo() {
        if (await isRunning(ctx)) return;
        await bootVm(ctx, 'boot');
        if (netBefore.denyOutgoing) {
          await enableZoneFilter(ctx.exec, vmId);
          await loadZoneRules(ctx.exec, vmId, renderEgressRules());
        }
      },
    });
  }
  steps.push(
    zoneConfigStep(
      ctx,
      [after, netChanged ? netAfter : null],
      [before, netChanged ? netBefore : null],
    ),
  );
  if (netChanged && netAfter.denyOutgoing !== netBefore.denyOutgoing) {
    const setFilter = async (deny: boolean) => {
      const path = ctx.layout.real(ctx.layout.ipfConfPath(vmId));
      if (deny) {
        await mkdir(dirname(path), { recursive: true });
        await writeFile(path, `${renderEgressRules().join('\n')}\n`, { mode: 0o644 });
      } else await rm(path, { force: true });
      // A running zone's filter instance changes now; a stopped one loads the file at boot.
      if (!(await isRunning(ctx))) return;
      if (deny) {
        await enableZoneFilter(ctx.exec, vmId);
        await loadZoneRules(ctx.exec, vmId, renderEgressRules());
      } else await flushZoneRules(ctx.exec, vmId);
    };
    steps.push({
      name: 'egress',
      run: () => setFilter(netAfter.denyOutgoing),
      undo: () => setFilter(netBefore.denyOutgoing),
    });
  }
  const addedPorts = minus(netAfter.ports, netBefore.ports);
  const removedPorts = minus(netBefore.ports, netAfter.ports);
  if (netChanged && addedPorts.length + removedPorts.length > 0) {
    // Forwards are the host's, not the guest's: they change at once, running or not.
    steps.push({
      name: 'ports',
      async run() {
        await ctx.withNatTable(async () => {
          await removeNatRules(ctx.exec, rdr(ctx, removedPorts));
          await addNatRules(ctx.exec, rdr(ctx, addedPorts));
        });
      },
      async undo() {
        await ctx.withNatTable(async () => {
          await removeNatRules(ctx.exec, rdr(ctx, addedPorts));
          await addNatRules(ctx.exec, rdr(ctx, removedPorts));
        });
      },
    });
  }
  let restarted = false;
  if (p.restart) {
    // The zone boots again once it has the change; an undo boots it as it was.
    steps.push({
      name: 'boot',
      async run() {
        await bootVm(ctx, 'boot');
        // The record already says what the change asked (accepting it wrote it).
        if (egress.when?.(ctx)) await egress.run(ctx);
        await ports.run(ctx);
        restarted = true;
      },
      async undo() {
        if (await isRunning(ctx)) await zoneadm(ctx.exec, vmId, 'halt');
      },
    });
  }
  if (removed.length > 0) {
    steps.push({
      name: 'destroy-disks',
      async run() {
        for (const d of removed)
          await destroyDataset(ctx.exec, ctx.layout.vmDataDisk(vmId, d.n), true);
      },
      async undo() {},
    });
  }
  return {
    steps,
    noReturn: removed.length > 0 ? 'destroy-disks' : undefined,
    // The disks not yet destroyed stay listed, so removing them again finishes the change.
    halfDone(db) {
      updateVm(db, vmId, { disks: JSON.stringify(before.disks) });
    },
    succeeded(db) {
      if (removedPorts.length > 0)
        deletePortRows(
          db,
          vmId,
          removedPorts.map((x) => x.hostPort),
        );
      if (restarted) updateVm(db, vmId, { booted: JSON.stringify(after) });
    },
    undone(db) {
      if (addedPorts.length > 0)
        deletePortRows(
          db,
          vmId,
          addedPorts.map((x) => x.hostPort),
        );
      updateVm(db, vmId, {
        ...machineFields(before),
        denyOutgoing: netBefore.denyOutgoing,
        ports: JSON.stringify(netBefore.ports.map((x) => x.guestPort)),
      });
    },
  };
}

export function snapshotPlan(ctx: VmContext, p: SnapshotParams): ChangePlan {
  const names = machineDatasets(ctx, p.machine).map((d) => ctx.layout.snapshotOf(d, p.name));
  return {
    steps: [
      {
        name: 'snapshot',
        // One command naming every disk: ZFS takes them all at the same instant, or none.
        run: () => snapshotAtomically(ctx.exec, names),
        async undo() {
          for (const n of names) await destroySnapshot(ctx.exec, n);
        },
      },
    ],
    succeeded(db) {
      insertSnapshotRow(db, ctx.vm.id, p.name, p.machine);
    },
    undone() {},
  };
}

/**
 * What each of a VM's snapshots holds that nothing else does (`used` of its disks' snapshots,
 * summed), from one `zfs list` of the VM's dataset: the space they take from the host.
 */
export async function measureSnapshots(
  exec: HostExec,
  layout: Layout,
  db: Db,
  vmId: string,
): Promise<void> {
  const rows = await listDatasetTree(exec, layout.vmDataset(vmId));
  for (const snap of listSnapshotRows(db, vmId)) {
    const bytes = rows
      .filter((r) => r.type === 'snapshot' && r.name.endsWith(`@${snap.name}`))
      .reduce((sum, r) => sum + (r.used ?? 0), 0);
    setSnapshotUsed(db, vmId, snap.name, bytes);
  }
}

export function rollbackPlan(ctx: VmContext, p: RollbackParams, deps: PlanDeps): ChangePlan {
  const vmId = ctx.vm.id;
  const dropped = p.before.disks.filter((d) => !p.target.disks.some((t) => t.n === d.n));
  const net: VmNet = { denyOutgoing: ctx.vm.denyOutgoing, ports: ctx.ports };
  return {
    steps: [
      {
        name: 'stop',
        async run() {
          if (p.stop) await stopZone(ctx, deps.stopTimeoutMs);
          const zone = await getZone(ctx.exec, vmId);
          if (zone && zone.state !== 'installed') {
            throw new ApiError(
              'conflict',
              `VM ${vmId} is ${zone.state}: stop it first (or ?stop=true)`,
            );
          }
        },
        // Undone before any disk changed: the VM runs again as it was.
        async undo() {
          if (!p.wasRunning || (await isRunning(ctx))) return;
          await bootVm(ctx, 'boot');
          if (egress.when?.(ctx)) await egress.run(ctx);
        },
      },
      zoneConfigStep(ctx, [p.target, net], [p.before, net]),
      {
        name: 'rollback',
        async run() {
          for (const ds of machineDatasets(ctx, p.target)) {
            try {
              await rollbackTo(ctx.exec, ctx.layout.snapshotOf(ds, p.name), p.later.length > 0);
            } catch (error) {
              // A disk rolled back by an earlier attempt has no later snapshots left.
              if (!failedWith(error, 'more recent snapshots')) throw error;
              await rollbackTo(ctx.exec, ctx.layout.snapshotOf(ds, p.name), true);
            }
          }
        },
        async undo() {},
      },
      {
        name: 'destroy-disks',
        async run() {
          for (const d of dropped)
            await destroyDataset(ctx.exec, ctx.layout.vmDataDisk(vmId, d.n), true);
        },
        async undo() {},
      },
    ],
    noReturn: 'rollback',
    succeeded(db) {
      deleteSnapshotRows(db, vmId, p.later);
      updateVm(db, vmId, machineFields(p.target));
    },
    // The zone is the snapshot's already; the same rollback again finishes the disks.
    halfDone(db) {
      updateVm(db, vmId, machineFields(p.target));
    },
    undone() {},
    finalState: 'stopped',
  };
}

export function deleteSnapshotPlan(ctx: VmContext, p: DeleteSnapshotParams): ChangePlan {
  const names = machineDatasets(ctx, p.machine).map((d) => ctx.layout.snapshotOf(d, p.name));
  return {
    steps: [
      {
        name: 'destroy-snapshot',
        async run() {
          for (const n of names) await destroySnapshot(ctx.exec, n);
        },
        async undo() {},
      },
    ],
    noReturn: 'destroy-snapshot',
    succeeded(db) {
      deleteSnapshotRows(db, ctx.vm.id, [p.name]);
    },
    undone() {},
  };
}

/** A snapshot row exists for `name` (snapshot names are unique per VM). */
export function hasSnapshot(db: Db, vmId: string, name: string): boolean {
  return getSnapshotRow(db, vmId, name) !== undefined;
}

import { constants } from 'node:fs';
import { copyFile, mkdir, rename, rm, stat, truncate, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { ApiError } from '@apiary/protocol';
import { createVnic, deleteVnic } from '../host/dladm.js';
import { showVnicDetails } from '../host/dladm-links.js';
import { failedWith } from '../host/host-command-error.js';
import { enableZoneFilter, flushZoneRules, loadZoneRules, renderEgressRules } from '../host/ipf.js';
import { addNatRules, removeNatRules, renderRdrRule } from '../host/ipnat.js';
import {
  cloneSnapshot,
  createFilesystem,
  createVolume,
  destroyDataset,
  getDataset,
  sendReceive,
  setProperty,
} from '../host/zfs.js';
import { getZone, type ZoneState, zoneadm } from '../host/zoneadm.js';
import {
  applyZoneConfig,
  deleteZoneConfig,
  exportZoneConfig,
  removeZoneConfigFiles,
} from '../host/zonecfg.js';
import { renderBhyveZone, zoneAttrs } from '../host/zonecfg-format.js';
import type { SagaStep } from './saga-step.js';
import { bootVm, type VmContext, vmIp } from './vm-context.js';
import { disksOf } from './vm-machine.js';
import { zoneOwnership } from './zone-ownership.js';
import { ATTR, buildZoneSpec, renderUserData } from './zone-spec.js';

const MiB = 1024 * 1024;

async function ours(ctx: VmContext): Promise<boolean> {
  if (ctx.owned === undefined) ctx.owned = (await zoneOwnership(ctx)) === 'ours';
  return ctx.owned;
}

/**
 * The zone's state for an undo step: what this saga's last zoneadm verb left it in, else the
 * host's answer (null: no such zone). A delete walks halt, uninstall, delete: each step after
 * the first knows the state from the verb before it instead of listing the zone again.
 */
async function zoneStateFor(ctx: VmContext): Promise<ZoneState | null> {
  if (ctx.zoneState !== undefined) return ctx.zoneState;
  return (await getZone(ctx.exec, ctx.vm.id))?.state ?? null;
}

/** `zoneadm <verb>` in an undo, remembering the state it leaves the zone in (exit 0 only). */
async function undoVerb(ctx: VmContext, verb: 'halt' | 'uninstall'): Promise<void> {
  ctx.zoneState = undefined;
  await zoneadm(ctx.exec, ctx.vm.id, verb);
  ctx.zoneState = verb === 'halt' ? 'installed' : 'configured';
}

export function rdrRules(ctx: VmContext): string[] {
  const ip = vmIp(ctx);
  return ctx.ports.map((p) =>
    renderRdrRule(ctx.layout.externalLink, { hostPort: p.hostPort, ip, guestPort: p.guestPort }),
  );
}

const image: SagaStep = {
  name: 'image',
  // It loads ctx.image, which later steps read: run it again on every resume.
  always: true,
  async run(ctx) {
    // A clone's disks come from a snapshot; an ISO install boots an installer on an empty disk.
    if (ctx.vm.sourceSnapshot) return;
    if (ctx.vm.bootIso) {
      await ctx.images.ensure(ctx.vm.cdrom!, 'iso');
      return;
    }
    if (!ctx.vm.imageDigest) throw new ApiError('validation', 'VM has no image digest');
    ctx.image = await ctx.images.ensure(ctx.vm.imageDigest);
  },
  // Images are a shared cache: removing one is DELETE /api/images, never a VM's undo.
  async undo() {},
};

const disk: SagaStep = {
  name: 'disk',
  async run(ctx) {
    const target = ctx.layout.vmDisk(ctx.vm.id);
    const source = cloneSource(ctx);
    if (source) {
      await cloneSnapshot(
        ctx.exec,
        ctx.layout.snapshotOf(ctx.layout.vmDisk(source.vm), source.name),
        target,
      );
      return;
    }
    if (ctx.vm.bootIso) {
      await createVolume(ctx.exec, target, ctx.vm.disk * MiB, true);
      return;
    }
    const hex = ctx.vm.imageDigest!.slice('sha256:'.length);
    if (ctx.storage === 'file') return copyDiskFile(ctx, hex);
    if (ctx.vm.cloneMode === 'thin') {
      await cloneSnapshot(ctx.exec, ctx.layout.imageSnapshot(hex), target);
      return;
    }
    // A full copy: an interrupted receive never leaves `target` behind, so existence means done.
    if (await getDataset(ctx.exec, target)) return;
    await createFilesystem(ctx.exec, ctx.layout.vmDataset(ctx.vm.id));
    await sendReceive(ctx.exec, ctx.layout.imageSnapshot(hex), target);
  },
  async undo(ctx) {
    await destroyDataset(ctx.exec, ctx.layout.vmDataset(ctx.vm.id), true);
    if (ctx.storage === 'file') {
      await rm(ctx.layout.real(ctx.layout.vmDir(ctx.vm.id)), { recursive: true, force: true });
    }
  },
};

/** The VM and snapshot a clone's disks come from (`vm@snapshot`), or null. */
function cloneSource(ctx: VmContext): { vm: string; name: string } | null {
  const at = ctx.vm.sourceSnapshot?.indexOf('@') ?? -1;
  if (at < 0) return null;
  return { vm: ctx.vm.sourceSnapshot!.slice(0, at), name: ctx.vm.sourceSnapshot!.slice(at + 1) };
}

/** Data disks a VM is created with: a clone's, thin clones of its snapshot's. */
const dataDisks: SagaStep = {
  name: 'data-disks',
  when: (ctx) => disksOf(ctx.vm).length > 0,
  async run(ctx) {
    const source = cloneSource(ctx);
    for (const d of disksOf(ctx.vm)) {
      const target = ctx.layout.vmDataDisk(ctx.vm.id, d.n);
      if (!source) await createVolume(ctx.exec, target, d.size * MiB, true);
      else {
        const from = ctx.layout.snapshotOf(ctx.layout.vmDataDisk(source.vm, d.n), source.name);
        await cloneSnapshot(ctx.exec, from, target);
      }
    }
  },
  async undo(ctx) {
    for (const d of disksOf(ctx.vm))
      await destroyDataset(ctx.exec, ctx.layout.vmDataDisk(ctx.vm.id, d.n), true);
  },
};

/** file backend: the VM's own dataset with a copy of the image file (written, then renamed). */
async function copyDiskFile(ctx: VmContext, hex: string) {
  await createFilesystem(ctx.exec, ctx.layout.vmDataset(ctx.vm.id));
  const target = ctx.layout.real(ctx.layout.vmDiskFile(ctx.vm.id));
  if (await exists(target)) return;
  await mkdir(dirname(target), { recursive: true });
  // A copy-on-write clone where the filesystem offers it, a plain copy elsewhere.
  await copyFile(
    ctx.layout.real(ctx.layout.imageFile(hex)),
    `${target}.part`,
    constants.COPYFILE_FICLONE,
  );
  await rename(`${target}.part`, target);
}

async function exists(path: string): Promise<boolean> {
  return stat(path).then(
    () => true,
    () => false,
  );
}

const volsize: SagaStep = {
  name: 'volsize',
  // A clone has its snapshot's size; an ISO install's disk was made at its size.
  when: (ctx) => !ctx.vm.sourceSnapshot && !ctx.vm.bootIso,
  async run(ctx) {
    const wanted = ctx.vm.disk * MiB;
    if (ctx.image && ctx.image.diskBytes > wanted) {
      throw new ApiError(
        'validation',
        `disk ${ctx.vm.disk} MiB is smaller than the image (${Math.ceil(ctx.image.diskBytes / MiB)} MiB)`,
      );
    }
    if (ctx.storage === 'file') {
      // Sparse: the file reads as the image followed by zeros up to the disk size.
      await truncate(ctx.layout.real(ctx.layout.vmDiskFile(ctx.vm.id)), wanted);
      return;
    }
    if (ctx.image && ctx.image.diskBytes === wanted) return;
    await setProperty(ctx.exec, ctx.layout.vmDisk(ctx.vm.id), 'volsize', String(wanted));
  },
  async undo() {},
};

/** One VNIC per network the VM joins (over the etherstub, or the link with its VLAN tag). */
const vnic: SagaStep = {
  name: 'vnic',
  async run(ctx) {
    // A NIC on an environment overlay has the MAC the controller chose (the overlay mappings
    // name it); the primary NIC keeps the VM's MAC when it has one (a VM moved from another host).
    for (const [i, nic] of ctx.nics.entries()) {
      const mac = nic.mac ?? (i === 0 ? ctx.vm.mac : null);
      await createVnic(ctx.exec, nic.vnic, nic.over, { vlan: nic.vlan, mac });
    }
  },
  async undo(ctx) {
    // No slot: a create fully undone, or an adopted VM whose slot another VM holds (its VNIC
    // is that VM's): nothing of ours to name.
    if (ctx.vm.slot === null) return;
    // Every VNIC named by this slot, whatever the database remembers of the VM's networks (an
    // adopted VM has no NIC rows): the slot is this VM's alone, so are the names it makes.
    const slot = ctx.vm.slot;
    // The VNICs only (show-vnic), not every link: an undo asks the host no more than it needs.
    const names = new Set(ctx.nics.map((n) => n.vnic));
    for (const v of await showVnicDetails(ctx.exec))
      if (ctx.layout.isVmNicOf(slot, v.link)) names.add(v.link);
    for (const name of [...names].sort().reverse()) await deleteVnic(ctx.exec, name);
  },
};

const cloudInit: SagaStep = {
  name: 'cloud-init',
  async run(ctx) {
    const path = ctx.layout.real(ctx.layout.userDataPath(ctx.vm.id));
    await mkdir(dirname(path), { recursive: true, mode: 0o700 });
    await writeFile(path, renderUserData(ctx.vm.id, ctx.sshKeys, ctx.vm.loginUser), {
      mode: 0o600,
    });
  },
  async undo(ctx) {
    await rm(dirname(ctx.layout.real(ctx.layout.userDataPath(ctx.vm.id))), {
      recursive: true,
      force: true,
    });
  },
};

const zonecfg: SagaStep = {
  name: 'zonecfg',
  async run(ctx) {
    try {
      await applyZoneConfig(ctx.exec, ctx.vm.id, renderBhyveZone(buildZoneSpec(ctx)), ctx.tmpDir);
      ctx.owned = true;
    } catch (error) {
      if (!failedWith(error, 'Zone exists', 'already exists', 'already installed')) throw error;
      const existing = await exportZoneConfig(ctx.exec, ctx.vm.id);
      if (!existing || zoneAttrs(existing)[ATTR.vmId] !== ctx.vm.id) {
        ctx.owned = false;
        throw new ApiError('conflict', `a zone named ${ctx.vm.id} already exists on this host`);
      }
      ctx.owned = true;
    }
  },
  async undo(ctx) {
    // A command file the agent was killed with (the resumed run would have removed it) is ours
    // whoever owns the zone.
    await removeZoneConfigFiles(ctx.tmpDir, ctx.vm.id);
    if (!(await ours(ctx))) return;
    // `delete -F` would drop the configuration of an installed zone and orphan its zonepath
    // dataset: only a zone that is back to `configured` may lose its configuration.
    const state = await zoneStateFor(ctx);
    if (state === null) return;
    if (state !== 'configured') {
      throw new Error(`zone ${ctx.vm.id} is still ${state}; its configuration is kept`);
    }
    await deleteZoneConfig(ctx.exec, ctx.vm.id);
    ctx.zoneState = undefined;
  },
};

const install: SagaStep = {
  name: 'install',
  async run(ctx) {
    try {
      await zoneadm(ctx.exec, ctx.vm.id, 'install');
    } catch (error) {
      if (failedWith(error, 'is already installed')) return;
      if (!failedWith(error, 'zone is incomplete')) throw error;
      await zoneadm(ctx.exec, ctx.vm.id, 'uninstall');
      await zoneadm(ctx.exec, ctx.vm.id, 'install');
    }
  },
  async undo(ctx) {
    if (!(await ours(ctx))) return;
    const state = await zoneStateFor(ctx);
    if (state === null || state === 'configured') return;
    if (state !== 'installed' && state !== 'incomplete') await undoVerb(ctx, 'halt');
    await undoVerb(ctx, 'uninstall');
  },
};

const firewallFile: SagaStep = {
  name: 'firewall-file',
  when: (ctx) => ctx.vm.denyOutgoing,
  // The bhyve brand loads <zonepath>/etc/ipf.conf into the zone's filter at every boot.
  async run(ctx) {
    const path = ctx.layout.real(ctx.layout.ipfConfPath(ctx.vm.id));
    await mkdir(dirname(path), { recursive: true });
    await writeFile(path, `${renderEgressRules().join('\n')}\n`, { mode: 0o644 });
  },
  async undo(ctx) {
    await rm(ctx.layout.real(ctx.layout.ipfConfPath(ctx.vm.id)), { force: true });
  },
};

const boot: SagaStep = {
  name: 'boot',
  async run(ctx) {
    // "zone is already booted" exits 0: booting twice is harmless. Exit 0 is not enough: the
    // zone must still be running once bhyve had a moment to open its disks.
    await bootVm(ctx, 'boot');
  },
  async undo(ctx) {
    // Whose zone it is and what state it is in are two reads of the host: asked together.
    const [owned, zone] = await Promise.all([ours(ctx), getZone(ctx.exec, ctx.vm.id)]);
    if (!owned) return;
    if (zone && (zone.state === 'running' || zone.state === 'ready')) await undoVerb(ctx, 'halt');
    else if (zone) ctx.zoneState = zone.state;
  },
};

export const egress: SagaStep = {
  name: 'egress',
  when: (ctx) => ctx.vm.denyOutgoing,
  async run(ctx) {
    await enableZoneFilter(ctx.exec, ctx.vm.id);
    await loadZoneRules(ctx.exec, ctx.vm.id, renderEgressRules());
  },
  async undo(ctx) {
    if (await ours(ctx)) await flushZoneRules(ctx.exec, ctx.vm.id);
  },
};

export const ports: SagaStep = {
  name: 'ports',
  async run(ctx) {
    await ctx.withNatTable(() => addNatRules(ctx.exec, rdrRules(ctx)));
  },
  async undo(ctx) {
    if (ctx.vm.slot === null) return;
    await ctx.withNatTable(() => removeNatRules(ctx.exec, rdrRules(ctx)));
  },
};

/** The create saga, in order. Delete is the undo of all of it, in reverse. */
export const CREATE_STEPS: SagaStep[] = [
  image,
  disk,
  dataDisks,
  volsize,
  vnic,
  cloudInit,
  zonecfg,
  install,
  firewallFile,
  boot,
  egress,
  ports,
];

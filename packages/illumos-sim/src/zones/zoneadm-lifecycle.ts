import { existsSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { randomUuid } from '../core/ids.js';
import type { HostState, ZoneRecord } from '../core/state-types.js';
import { dropZoneFirewall } from '../net/zone-firewall.js';
import { copyFilesystemContents } from '../zfs/fs-contents.js';
import {
  addDataset,
  clonesOf,
  datasetMountedAt,
  descendantsOf,
  getDataset,
  removeDataset,
} from '../zfs/zfs-model.js';
import { SpaceCalculator } from '../zfs/zfs-space.js';
import {
  bootHookError,
  createZoneRoot,
  logInit,
  logZone,
  missingLinks,
  onBoot,
} from './bhyve-brand.js';
import { bhyveStartError } from './bhyve-devices.js';
import { zoneHoldingZvol } from './zone-usage.js';
import { verifyDetails } from './zone-verify.js';

/**
 * The zone state machine's transitions. Each returns an error message (printed by zoneadm as
 * `zoneadm: zone 'NAME': <msg>`), or text zoneadm prints as is (`stderr`, verify's output), and
 * changes the state only on success. Verification (verify_details) runs where zoneadm runs it:
 * after the state refusals of sanity_check(), before zoneadmd is asked.
 */
export interface Ctx {
  state: HostState;
  root: string;
  hostRoot: string;
  out: (text: string) => void;
}

export type Outcome =
  | { error: string; exitCode?: number }
  | { stderr: string; exitCode: number }
  | { ok: true; message?: string; exitCode?: number };

const fail = (error: string, exitCode = 1): Outcome => ({ error, exitCode });
const ok = (message?: string): Outcome => (message ? { ok: true, message } : { ok: true });

type Verified = Parameters<typeof verifyDetails>[3];

/** verify_details() as an outcome: undefined when the zone verifies. */
export function verified(ctx: Ctx, zone: ZoneRecord, cmd: Verified): Outcome | undefined {
  const text = verifyDetails(ctx.state, ctx.hostRoot, zone, cmd);
  return text === undefined ? undefined : { stderr: text, exitCode: 1 };
}

/** sanity_check() with unsafe_when_running: install, uninstall, clone and mark. */
function kernelRefusal(cmd: string, zone: ZoneRecord): Outcome | undefined {
  if (inKernel(zone)) return fail(`${cmd} operation is invalid for ${zone.state} zones.`);
  return undefined;
}

/** Kernel-known zones: what lookup_running_zone() finds (zoneadm's `running` check). */
function inKernel(zone: ZoneRecord): boolean {
  return ['ready', 'running', 'shutting_down', 'down'].includes(zone.state);
}

export function install(ctx: Ctx, zone: ZoneRecord, noDataset: boolean): Outcome {
  const refused = kernelRefusal('install', zone);
  if (refused) return refused;
  if (zone.state === 'incomplete') return fail('zone is incomplete; uninstall required.');
  if (zone.state !== 'configured') return fail('is already installed.');
  const zp = zone.config.props.zonepath;
  if (!zp) return fail('zonepath not specified');
  const bad = verified(ctx, zone, 'install');
  if (bad) return bad;
  const parent = datasetMountedAt(ctx.state, dirname(zp));
  const dsName = parent ? `${parent.name}/${zone.name}` : undefined;
  if (!noDataset && parent && dsName && !getDataset(ctx.state, dsName)) {
    const space = new SpaceCalculator(ctx.state, ctx.hostRoot);
    if (space.available(parent) < 24576) {
      return fail(`cannot create ZFS dataset ${dsName}: out of space`);
    }
    addDataset(ctx.state, ctx.hostRoot, { name: dsName, type: 'filesystem' });
    ctx.out('A ZFS file system has been created for this zone.\n');
  }
  zone.uuid = randomUuid();
  zone.debugid ??= ctx.state.nextDebugId++;
  createZoneRoot(ctx.hostRoot, zp, zone.uuid);
  zone.state = 'installed';
  return ok();
}

/** The zonepath's dataset: the file system mounted exactly at the zonepath. */
function zonepathDataset(ctx: Ctx, zone: ZoneRecord) {
  const zp = zone.config.props.zonepath;
  return zp ? datasetMountedAt(ctx.state, zp) : undefined;
}

export function uninstall(ctx: Ctx, zone: ZoneRecord): Outcome {
  const refused = kernelRefusal('uninstall', zone);
  if (refused) return refused;
  if (zone.state === 'configured') return fail("is already in state 'configured'.");
  const ds = zonepathDataset(ctx, zone);
  if (ds) {
    const all = [...descendantsOf(ctx.state, ds.name), ds];
    for (const d of all) {
      if (d.type === 'volume' && zoneHoldingZvol(ctx.state, d.name)) {
        return fail(`cannot destroy '${d.name}': dataset is busy`);
      }
      if (d.type === 'snapshot') {
        const foreign = clonesOf(ctx.state, d.name).find((c) => !all.includes(c));
        if (foreign) return fail(`cannot destroy '${ds.name}': filesystem has dependent clones`);
      }
    }
    for (const d of all) removeDataset(ctx.state, ctx.root, ctx.hostRoot, d.name);
  } else if (zone.config.props.zonepath) {
    rmSync(join(ctx.hostRoot, zone.config.props.zonepath), { recursive: true, force: true });
  }
  zone.state = 'configured';
  zone.uuid = '';
  return ok();
}

function makeReady(ctx: Ctx, zone: ZoneRecord): Outcome | undefined {
  const links = missingLinks(ctx.state, zone);
  if (links.length > 0) {
    logInit(ctx.hostRoot, zone, `failed to add network device ${links[0]}: no such link`);
    return fail(
      `failed to add network device: ${links[0]}: no such link\nzoneadm: zone '${zone.name}': call to zoneadmd failed`,
    );
  }
  zone.zoneid = ctx.state.nextZoneId++;
  zone.state = 'ready';
  return undefined;
}

export function ready(ctx: Ctx, zone: ZoneRecord): Outcome {
  if (zone.state === 'configured' || zone.state === 'incomplete')
    return fail('must be installed before ready.');
  const bad = verified(ctx, zone, 'ready');
  if (bad) return bad;
  if (zone.state === 'ready') return { ok: true, message: 'zone is already ready' };
  if (zone.state === 'running') {
    // zoneadmd readies a running zone by halting it first
    halt(ctx, zone);
    return makeReady(ctx, zone) ?? ok();
  }
  if (zone.state !== 'installed') return fail('must be installed before ready.');
  return makeReady(ctx, zone) ?? ok();
}

/**
 * `zoneadm boot`. zoneadmd readies the zone, runs the brand's boot hook and starts the zone's
 * init, which for bhyve is bhyve itself; zoneadm returns once init is started. A bhyve that
 * cannot open its bootrom or a disk exits at once, and as the brand does not restart init the
 * zone halts: boot exits 0, the zone is back in `installed` (the simulator does it before
 * returning, where OmniOS takes a moment), and the reason is in `<zonepath>/root/tmp/init.log`.
 */
export function boot(ctx: Ctx, zone: ZoneRecord, verify = true): Outcome {
  if (zone.state === 'configured' || zone.state === 'incomplete')
    return fail('must be installed before boot.');
  if (verify) {
    const bad = verified(ctx, zone, 'boot');
    if (bad) return bad;
  }
  if (zone.state === 'running') return { ok: true, message: 'zone is already booted' };
  if (zone.state !== 'installed' && zone.state !== 'ready')
    return fail('must be installed before boot.');
  const wasInstalled = zone.state === 'installed';
  if (wasInstalled) {
    const problem = makeReady(ctx, zone);
    if (problem) return problem;
  }
  const bhyve = zone.config.props.brand === 'bhyve';
  const hookError = bhyve ? bootHookError(ctx.hostRoot, zone) : undefined;
  if (hookError) {
    logZone(ctx.hostRoot, zone, `ERROR:root:${hookError}`);
    if (wasInstalled) halt(ctx, zone);
    return fail('call to zoneadmd failed');
  }
  zone.state = 'running';
  zone.bootedAt = Date.now();
  if (!bhyve) return ok();
  onBoot(ctx.state, ctx.hostRoot, zone);
  const crash = bhyveStartError(ctx.state, ctx.hostRoot, zone);
  if (crash) {
    logInit(ctx.hostRoot, zone, crash);
    halt(ctx, zone);
  }
  return ok();
}

export function halt(ctx: Ctx, zone: ZoneRecord): Outcome {
  if (zone.state === 'installed') return { ok: true, message: 'zone is already halted' };
  if (
    zone.state !== 'running' &&
    zone.state !== 'ready' &&
    zone.state !== 'shutting_down' &&
    zone.state !== 'down'
  ) {
    return fail('must be installed before halt.');
  }
  dropZoneFirewall(ctx.state, zone);
  delete zone.zoneid;
  delete zone.bootedAt;
  zone.state = 'installed';
  logInit(ctx.hostRoot, zone, 'zone halted');
  return ok();
}

export function shutdown(ctx: Ctx, zone: ZoneRecord, reboot: boolean): Outcome {
  if (!inKernel(zone)) return fail('not running');
  const halted = halt(ctx, zone);
  if ('error' in halted || !reboot) return halted;
  return boot(ctx, zone);
}

export function reboot(ctx: Ctx, zone: ZoneRecord): Outcome {
  if (!inKernel(zone)) return fail('not running');
  const bad = verified(ctx, zone, 'reboot');
  if (bad) return bad;
  if (zone.state !== 'running') {
    return fail(`reboot operation is invalid for zones in state '${zone.state}'`);
  }
  halt(ctx, zone);
  return boot(ctx, zone, false);
}

export function markIncomplete(zone: ZoneRecord): Outcome {
  const refused = kernelRefusal('mark', zone);
  if (refused) return refused;
  if (zone.state !== 'installed') return fail('must be installed before mark.');
  zone.state = 'incomplete';
  return ok();
}

/** `zoneadm -z NEW clone SRC`: snapshot the source's zonepath dataset and clone it. */
export function cloneZone(
  ctx: Ctx,
  zone: ZoneRecord,
  source: ZoneRecord,
  snapName: string | undefined,
): Outcome {
  const refused = kernelRefusal('clone', zone);
  if (refused) return refused;
  if (zone.state === 'incomplete') return fail('zone is incomplete; uninstall required.');
  if (zone.state !== 'configured') return fail('is already installed.');
  if (source.state !== 'installed') return fail(`must be installed before clone.`);
  if ((source.config.props.brand ?? 'ipkg') !== (zone.config.props.brand ?? 'ipkg')) {
    return fail(`source zone '${source.name}' is not the same brand`);
  }
  const zp = zone.config.props.zonepath;
  if (!zp) return fail('zonepath not specified');
  const bad = verified(ctx, zone, 'clone');
  if (bad) return bad;
  const srcDs = zonepathDataset(ctx, source);
  const parent = datasetMountedAt(ctx.state, dirname(zp));
  if (srcDs && parent) {
    const snap = snapName
      ? `${srcDs.name}@${snapName}`
      : `${srcDs.name}@SUNWzone${ctx.state.nextTxg}`;
    if (snapName && !getDataset(ctx.state, snap)) return fail(`snapshot ${snap} does not exist`);
    if (!snapName) {
      addDataset(ctx.state, ctx.hostRoot, {
        name: snap,
        type: 'snapshot',
        referenced: srcDs.referenced,
        unique: 0,
      });
    }
    addDataset(ctx.state, ctx.hostRoot, {
      name: `${parent.name}/${zone.name}`,
      type: 'filesystem',
      origin: snap,
      referenced: srcDs.referenced,
      unique: 0,
    });
    copyFilesystemContents(ctx.state, ctx.hostRoot, srcDs.name, `${parent.name}/${zone.name}`);
  }
  zone.uuid = randomUuid();
  zone.debugid ??= ctx.state.nextDebugId++;
  // The bhyve brand has no clone hook: a cloned zonepath keeps the source's root, its etc/uuid
  // (which boot.py hands to the guest as the SMBIOS UUID) included.
  if (!existsSync(join(ctx.hostRoot, zp, 'root'))) createZoneRoot(ctx.hostRoot, zp, zone.uuid);
  zone.state = 'installed';
  return ok();
}

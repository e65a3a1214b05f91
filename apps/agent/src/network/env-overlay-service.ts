import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import {
  ApiError,
  type EnvOverlay,
  envNetworkName,
  type OverlayEntry,
  type PutEnvOverlayReq,
} from '@apiary/protocol';
import { runForward, runUndo, type SagaStep } from '@apiary/server-kit';
import { createVxlanOverlay, deleteOverlayIfPresent } from '../host/dladm-overlay.js';
import { showAddrs } from '../host/ipadm.js';
import { restartService, VARPD_SERVICE } from '../host/svcadm.js';
import { mappingFileText, sameMapping } from './env-overlay-mapping.js';
import {
  deleteEnvOverlayRow,
  type EnvOverlayRow,
  entriesOf,
  getEnvOverlayRow,
  insertEnvOverlayRow,
  listEnvOverlayRows,
  markEnvOverlayReady,
  setEnvOverlayEntries,
} from './env-overlay-store.js';
import type { LinksContext } from './host-links-service.js';
import { nicsOnNetwork } from './network-store.js';

/*
 * Environment overlays (issue 14). Making one is two steps, each with an undo: the mapping file
 * (varpd's `files` plugin reads it when the overlay's varpd instance is activated, so it must
 * exist before the device), then the VXLAN device. The row is written `creating` first, so a
 * crash in between is undone at the next start.
 *
 * Changing the mapping: the `files` plugin reads its file only when its instance starts
 * (varpd_files_start; there is no reload, and setting `files/config` again only stores the
 * path), so the new file is put in place (written aside, renamed) and varpd is restarted, which
 * restores every instance and starts it again, reading the file afresh. If the restart fails,
 * the previous file is put back: what varpd reads next is a mapping someone asked for.
 */

/** IANA's VXLAN port, vxlan/listen_port's default (overlay_vxlan.c). */
export const VXLAN_PORT = 4789;

interface OverlayCtx {
  ctx: LinksContext;
  row: EnvOverlayRow;
}

async function writeAtomically(path: string, text: string): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  const aside = `${path}.new`;
  await writeFile(aside, text, { mode: 0o644 });
  await rename(aside, path);
}

const mappingStep: SagaStep<OverlayCtx> = {
  name: 'mapping-file',
  async run(c) {
    await writeAtomically(c.ctx.layout.real(c.row.mappingFile), mappingFileText(entriesOf(c.row)));
  },
  async undo(c) {
    const real = c.ctx.layout.real(c.row.mappingFile);
    await rm(real, { force: true });
    await rm(`${real}.new`, { force: true });
  },
};

const deviceStep: SagaStep<OverlayCtx> = {
  name: 'overlay',
  async run(c) {
    await createVxlanOverlay(c.ctx.exec, {
      name: c.row.link,
      vni: c.row.vni,
      mappingFile: c.row.mappingFile,
      listenIp: c.row.underlayIp,
      listenPort: c.row.underlayPort,
    });
  },
  async undo(c) {
    await deleteOverlayIfPresent(c.ctx.exec, c.row.link);
  },
};

export const OVERLAY_STEPS = [mappingStep, deviceStep];
const noJournal = { begin() {}, complete() {} };

export function presentEnvOverlay(row: EnvOverlayRow): EnvOverlay {
  return {
    env_id: row.envId,
    vni: row.vni,
    subnet: row.subnet,
    network: envNetworkName(row.vni),
    link: row.link,
    mapping_file: row.mappingFile,
    underlay_ip: row.underlayIp,
    underlay_port: row.underlayPort,
    entries: entriesOf(row),
  };
}

export function listEnvOverlays(ctx: LinksContext): EnvOverlay[] {
  return listEnvOverlayRows(ctx.db)
    .filter((r) => r.state === 'ready')
    .map(presentEnvOverlay);
}

/** The IPv4 address of the external link: where this host's tunnel ends listen. */
async function underlayAddress(ctx: LinksContext): Promise<string> {
  const prefix = `${ctx.layout.externalLink}/`;
  const addr = (await showAddrs(ctx.exec)).find(
    (a) => a.addrobj.startsWith(prefix) && /^\d{1,3}(\.\d{1,3}){3}\//.test(a.addr),
  );
  if (!addr)
    throw new ApiError(
      'precondition_failed',
      `${ctx.layout.externalLink} has no IPv4 address to carry environment overlays`,
    );
  return addr.addr.split('/')[0] as string;
}

// One change at a time per environment: a second PUT waits for the first.
const queues = new Map<string, Promise<unknown>>();
function serialized<T>(envId: string, work: () => Promise<T>): Promise<T> {
  const before = queues.get(envId) ?? Promise.resolve();
  const mine = before.catch(() => {}).then(work);
  queues.set(envId, mine);
  void mine
    .finally(() => {
      if (queues.get(envId) === mine) queues.delete(envId);
    })
    .catch(() => {});
  return mine;
}

async function createOverlay(
  ctx: LinksContext,
  envId: string,
  req: PutEnvOverlayReq,
): Promise<EnvOverlayRow> {
  if (listEnvOverlayRows(ctx.db).some((r) => r.vni === req.vni))
    throw new ApiError('conflict', `VNI ${req.vni} is another environment's on this host`);
  const row: EnvOverlayRow = {
    envId,
    vni: req.vni,
    subnet: req.subnet,
    link: ctx.layout.overlayLink(req.vni),
    mappingFile: ctx.layout.overlayMappingFile(req.vni),
    underlayIp: await underlayAddress(ctx),
    underlayPort: VXLAN_PORT,
    entries: JSON.stringify(req.entries),
    state: 'creating',
    createdAt: new Date().toISOString(),
  };
  insertEnvOverlayRow(ctx.db, row);
  const c: OverlayCtx = { ctx, row };
  try {
    await runForward(OVERLAY_STEPS, c, noJournal, new Set(), { log: ctx.log });
  } catch (failure) {
    const step = (failure as { step?: string }).step;
    const left = await runUndo(OVERLAY_STEPS, c, step, undefined, { log: ctx.log });
    // Kept `creating` when the undo left something: the next start tries again.
    if (left.length === 0) deleteEnvOverlayRow(ctx.db, envId);
    throw (failure as { cause?: unknown }).cause ?? failure;
  }
  markEnvOverlayReady(ctx.db, envId);
  ctx.log.info({ env_id: envId, vni: row.vni, link: row.link }, 'environment overlay created');
  return { ...row, state: 'ready' };
}

async function updateMapping(ctx: LinksContext, row: EnvOverlayRow, entries: OverlayEntry[]) {
  const real = ctx.layout.real(row.mappingFile);
  const before = await readFile(real, 'utf8').catch(() => null);
  await writeAtomically(real, mappingFileText(entries));
  try {
    await restartService(ctx.exec, VARPD_SERVICE);
  } catch (error) {
    if (before === null) await rm(real, { force: true });
    else await writeAtomically(real, before);
    throw error;
  }
  setEnvOverlayEntries(ctx.db, row.envId, entries);
  ctx.log.info(
    { env_id: row.envId, vni: row.vni, entries: entries.length },
    'environment overlay mapping updated',
  );
}

/** `PUT /api/env-overlays/{env_id}`: the overlay exists afterwards with exactly this mapping. */
export function putEnvOverlay(
  ctx: LinksContext,
  envId: string,
  req: PutEnvOverlayReq,
): Promise<EnvOverlay> {
  return serialized(envId, async () => {
    let row = getEnvOverlayRow(ctx.db, envId);
    if (row?.state === 'creating') {
      await undoOverlay(ctx, row);
      row = undefined;
    }
    if (!row) return presentEnvOverlay(await createOverlay(ctx, envId, req));
    if (row.vni !== req.vni || row.subnet !== req.subnet)
      throw new ApiError(
        'conflict',
        `environment ${envId} has VNI ${row.vni} and subnet ${row.subnet} on this host`,
      );
    if (!sameMapping(entriesOf(row), req.entries)) await updateMapping(ctx, row, req.entries);
    return presentEnvOverlay(getEnvOverlayRow(ctx.db, envId) as EnvOverlayRow);
  });
}

async function undoOverlay(ctx: LinksContext, row: EnvOverlayRow): Promise<void> {
  const left = await runUndo(OVERLAY_STEPS, { ctx, row }, undefined, undefined, { log: ctx.log });
  if (left.length > 0) throw left[0]?.error;
  deleteEnvOverlayRow(ctx.db, row.envId);
}

/** `DELETE /api/env-overlays/{env_id}`: refused while a VM is on it; absent is done. */
export function deleteEnvOverlay(ctx: LinksContext, envId: string): Promise<void> {
  return serialized(envId, async () => {
    const row = getEnvOverlayRow(ctx.db, envId);
    if (!row) return;
    const users = nicsOnNetwork(ctx.db, envNetworkName(row.vni)).map((n) => n.vmId);
    if (users.length > 0)
      throw new ApiError(
        'conflict',
        `the overlay of environment ${envId} is in use by VM ${users.join(', ')}`,
        { details: users },
      );
    await undoOverlay(ctx, row);
    ctx.log.info({ env_id: envId, vni: row.vni }, 'environment overlay removed');
  });
}

/** At start: undo overlays a crash left `creating`, put back what a ready one needs. */
export async function reconcileEnvOverlays(ctx: LinksContext): Promise<void> {
  for (const row of listEnvOverlayRows(ctx.db)) {
    const c: OverlayCtx = { ctx, row };
    if (row.state === 'creating') {
      const left = await runUndo(OVERLAY_STEPS, c, undefined, undefined, { log: ctx.log });
      if (left.length === 0) deleteEnvOverlayRow(ctx.db, row.envId);
    } else {
      await runForward(OVERLAY_STEPS, c, noJournal, new Set(), { log: ctx.log });
    }
  }
}

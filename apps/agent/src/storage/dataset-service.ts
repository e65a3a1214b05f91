import {
  ApiError,
  type CreateDatasetReq,
  type DatasetQuery,
  type StorageDataset,
  type UpdateDatasetReq,
} from '@apiary/protocol';
import { failedWith } from '../host/host-command-error.js';
import { listSwap } from '../host/swap.js';
import { createDataset, destroyAdminDataset, setProperties } from '../host/zfs-admin.js';
import { type AdminDatasetRow, listAdminDatasets } from '../host/zfs-dataset-list.js';
import { chargeOf, checkCapacity, recharge, reserveDataset } from './capacity-charge.js';
import { apiaryHold, ownerOf } from './dataset-ownership.js';
import type { StorageContext } from './storage-context.js';
import {
  apiDatasetNames,
  deleteApiDatasets,
  listApiDatasets,
  setCharge,
} from './storage-dataset-store.js';
import { refusingPlainly } from './zfs-refusals.js';

/*
 * Datasets through the storage API. Apiary's own (see dataset-ownership.ts) are read-only:
 * changing or destroying one is 403 with the reason, destroying a parent of one is 409. Every
 * listing is one `zfs list`, whatever the number of datasets.
 */

export function presentDataset(
  ctx: StorageContext,
  row: AdminDatasetRow,
  api: ReadonlySet<string>,
): StorageDataset {
  return { ...row, owner: ownerOf(ctx.layout, row, api) };
}

/** `name` and everything below it (file systems and volumes); 404 when it does not exist. */
async function treeOf(ctx: StorageContext, name: string): Promise<AdminDatasetRow[]> {
  try {
    return await listAdminDatasets(ctx.exec, { root: name, types: 'filesystem,volume' });
  } catch (error) {
    if (failedWith(error, 'dataset does not exist'))
      throw new ApiError('not_found', `dataset ${name} does not exist`);
    throw error;
  }
}

function refuseApiary(ctx: StorageContext, row: AdminDatasetRow, verb: string): void {
  const why = apiaryHold(ctx.layout, row);
  if (why)
    throw new ApiError('forbidden', `${row.name} is Apiary's and cannot be ${verb} here: ${why}`);
}

/** Properties as `zfs` spells them: `none` for no quota or reservation. */
function zfsProperties(props: Record<string, string | number | null | undefined>) {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(props)) {
    if (v === undefined) continue;
    out[k] = v === null ? 'none' : String(v);
  }
  return out;
}

export async function listDatasets(
  ctx: StorageContext,
  query: DatasetQuery,
): Promise<StorageDataset[]> {
  const types = query.type === undefined ? 'filesystem,volume' : query.type;
  try {
    const rows = await listAdminDatasets(ctx.exec, { root: query.pool, types });
    const api = apiDatasetNames(ctx.db);
    return rows.map((r) => presentDataset(ctx, r, api));
  } catch (error) {
    if (query.pool && failedWith(error, 'dataset does not exist'))
      throw new ApiError('not_found', `no pool named ${query.pool}`);
    throw error;
  }
}

export function createApiDataset(ctx: StorageContext, req: CreateDatasetReq) {
  return ctx.serial.run(async () => {
    const parentName = req.name.slice(0, req.name.lastIndexOf('/'));
    const parent = (
      await treeOf(ctx, parentName).catch((error) => {
        if (error instanceof ApiError && error.code === 'not_found')
          throw new ApiError('not_found', `parent dataset ${parentName} does not exist`);
        throw error;
      })
    )[0] as AdminDatasetRow;
    const why = apiaryHold(ctx.layout, parent);
    if (why) throw new ApiError('forbidden', `cannot create inside ${parent.name}: ${why}`);
    const thick = req.type === 'volume' && !req.sparse ? (req.size ?? 0) : 0;
    const recorded = await reserveDataset(ctx, {
      name: req.name,
      type: req.type,
      bytes: Math.max(thick, req.properties.reservation ?? 0),
    });
    try {
      await refusingPlainly(() =>
        createDataset(ctx.exec, {
          name: req.name,
          type: req.type,
          size: req.size,
          sparse: req.sparse,
          properties: zfsProperties(req.properties),
        }),
      );
    } catch (error) {
      if (recorded) deleteApiDatasets(ctx.db, req.name);
      throw error;
    }
    const row = (await treeOf(ctx, req.name))[0] as AdminDatasetRow;
    setCharge(ctx.db, req.name, chargeOf(ctx.layout, row));
    ctx.log.info({ dataset: req.name, type: req.type }, 'dataset created');
    return presentDataset(ctx, row, apiDatasetNames(ctx.db));
  });
}

export function updateApiDataset(ctx: StorageContext, name: string, change: UpdateDatasetReq) {
  return ctx.serial.run(async () => {
    const [target, ...below] = await treeOf(ctx, name);
    refuseApiary(ctx, target as AdminDatasetRow, 'changed');
    const limits = change.quota !== undefined || change.reservation !== undefined;
    const held = below.find((d) => apiaryHold(ctx.layout, d));
    if (limits && held) {
      throw new ApiError(
        'conflict',
        `a quota or reservation on ${name} would limit Apiary's dataset ${held.name} below it`,
      );
    }
    const api = apiDatasetNames(ctx.db);
    const mine = api.has(name);
    const before = chargeOf(ctx.layout, target as AdminDatasetRow);
    const after = Math.max(before, change.reservation ?? 0);
    // A larger reservation is charged (or, for a host dataset, checked) before ZFS grants it.
    if (mine) await recharge(ctx, name, before, after);
    else await checkCapacity(ctx, after - before);
    try {
      await refusingPlainly(() => setProperties(ctx.exec, name, zfsProperties(change)));
    } catch (error) {
      if (mine) setCharge(ctx.db, name, before);
      throw error;
    }
    const row = (await treeOf(ctx, name))[0] as AdminDatasetRow;
    if (mine) setCharge(ctx.db, name, chargeOf(ctx.layout, row));
    ctx.log.info({ dataset: name, change }, 'dataset changed');
    return presentDataset(ctx, row, api);
  });
}

export function deleteApiDataset(ctx: StorageContext, name: string, recursive: boolean) {
  return ctx.serial.run(async () => {
    const rows = await treeOf(ctx, name);
    refuseApiary(ctx, rows[0] as AdminDatasetRow, 'destroyed');
    const held = rows.find((d) => apiaryHold(ctx.layout, d));
    if (held) throw new ApiError('conflict', `${name} holds Apiary's dataset ${held.name}`);
    if (rows.length > 1 && !recursive) {
      throw new ApiError(
        'conflict',
        `${name} has ${rows.length - 1} dataset(s) below it; destroy with ?recursive=true`,
      );
    }
    const names = new Set(rows.map((r) => r.name));
    const swapping = (await listSwap(ctx.exec)).find((s) => s.dataset && names.has(s.dataset));
    if (swapping) {
      throw new ApiError(
        'conflict',
        `${swapping.dataset} is in use as swap; remove it from swap first (DELETE /api/storage/swap/...)`,
      );
    }
    await refusingPlainly(() => destroyAdminDataset(ctx.exec, name, recursive));
    deleteApiDatasets(ctx.db, name);
    ctx.log.info({ dataset: name, recursive }, 'dataset destroyed');
  });
}

/**
 * Measure what API datasets take now (one `zfs list` of the VM pool's), and forget those the
 * host no longer has (destroyed by hand): the host is the truth.
 */
export function refreshCharges(ctx: StorageContext) {
  return ctx.serial.run(async () => {
    const rows = listApiDatasets(ctx.db);
    if (rows.length === 0) return;
    const present = new Map<string, AdminDatasetRow>();
    for (const pool of new Set(rows.map((r) => r.pool))) {
      const listed = await listAdminDatasets(ctx.exec, { root: pool, types: 'filesystem,volume' });
      for (const d of listed) present.set(d.name, d);
    }
    for (const row of rows) {
      const now = present.get(row.name);
      if (!now) {
        ctx.log.warn({ dataset: row.name }, 'dataset made through the API is gone from the host');
        deleteApiDatasets(ctx.db, row.name);
      } else if (chargeOf(ctx.layout, now) !== row.chargedBytes) {
        setCharge(ctx.db, row.name, chargeOf(ctx.layout, now));
      }
    }
  });
}

import { type AddSwapReq, ApiError, type SwapDevice } from '@apiary/protocol';
import { runForward, runUndo, type SagaStep } from '@apiary/server-kit';
import { failedWith } from '../host/host-command-error.js';
import { readPageSize } from '../host/pagesize.js';
import { addSwapVolume, listSwap, removeSwapVolume } from '../host/swap.js';
import { createDataset, destroyAdminDataset } from '../host/zfs-admin.js';
import { listAdminDatasets } from '../host/zfs-dataset-list.js';
import { reserveDataset } from './capacity-charge.js';
import { apiaryHold } from './dataset-ownership.js';
import type { StorageContext } from './storage-context.js';
import { deleteApiDatasets, listApiDatasets, setSwap } from './storage-dataset-store.js';
import { refusingPlainly } from './zfs-refusals.js';

/*
 * Swap on volumes. Adding one with a size is two steps, each with its undo: create the
 * volume (thick: swap must never find its space taken), then `swap -a`; a failure at either
 * undoes what was done, so no volume is left behind. `swap -a` does not outlive a reboot, so the
 * agent swaps on its API volumes again at start (`restoreSwap`).
 */

interface SwapCtx {
  storage: StorageContext;
  name: string;
  size?: number;
}

const volumeStep: SagaStep<SwapCtx> = {
  name: 'volume',
  when: (c) => c.size !== undefined,
  async run(c) {
    const block = await readPageSize(c.storage.exec);
    await refusingPlainly(() =>
      createDataset(c.storage.exec, {
        name: c.name,
        type: 'volume',
        size: Math.ceil((c.size as number) / block) * block,
        properties: { volblocksize: String(block) },
      }),
    );
  },
  async undo(c) {
    try {
      await destroyAdminDataset(c.storage.exec, c.name, false);
    } catch (error) {
      if (!failedWith(error, 'dataset does not exist')) throw error;
    }
    deleteApiDatasets(c.storage.db, c.name);
  },
};

const swapStep: SagaStep<SwapCtx> = {
  name: 'swap',
  async run(c) {
    await refusingPlainly(() => addSwapVolume(c.storage.exec, c.name));
    setSwap(c.storage.db, c.name, true);
  },
  async undo(c) {
    try {
      await removeSwapVolume(c.storage.exec, c.name);
    } catch (error) {
      // swap -d of a path that is not swapping: `P: Invalid argument`.
      if (!failedWith(error, 'Invalid argument')) throw error;
    }
  },
};

export const ADD_SWAP_STEPS = [volumeStep, swapStep];

const noJournal = { begin() {}, complete() {} };

export async function listSwapDevices(ctx: StorageContext): Promise<SwapDevice[]> {
  return listSwap(ctx.exec);
}

async function volumeRow(ctx: StorageContext, name: string) {
  try {
    return (await listAdminDatasets(ctx.exec, { root: name, types: 'all' }))[0] ?? null;
  } catch (error) {
    if (failedWith(error, 'dataset does not exist')) return null;
    throw error;
  }
}

export function addSwap(ctx: StorageContext, req: AddSwapReq): Promise<SwapDevice> {
  return ctx.serial.run(async () => {
    const why = apiaryHold(ctx.layout, { name: req.name, mountpoint: null });
    if (why) throw new ApiError('forbidden', `${req.name} is Apiary's: ${why}`);
    const existing = await volumeRow(ctx, req.name);
    if (req.size !== undefined && existing)
      throw new ApiError('conflict', `dataset ${req.name} already exists; omit size to swap on it`);
    if (req.size === undefined && existing?.type !== 'volume')
      throw new ApiError('not_found', `${req.name} is not a volume; give a size to create one`);
    // The dataset does not exist (checked above): a row of its name is stale, and ours now.
    if (req.size !== undefined)
      await reserveDataset(ctx, { name: req.name, type: 'volume', bytes: req.size });
    const c: SwapCtx = { storage: ctx, name: req.name, size: req.size };
    try {
      await runForward(ADD_SWAP_STEPS, c, noJournal, new Set(), { log: ctx.log });
    } catch (failure) {
      const step = (failure as { step?: string }).step;
      const left = await runUndo(ADD_SWAP_STEPS, c, step, undefined, { log: ctx.log });
      if (left.length > 0) ctx.log.error({ dataset: req.name, left }, 'swap undo left work');
      throw (failure as { cause?: unknown }).cause ?? failure;
    }
    const device = (await listSwap(ctx.exec)).find((s) => s.dataset === req.name);
    if (!device) throw new ApiError('internal', `${req.name} is not listed by swap -l`);
    ctx.log.info({ dataset: req.name, created: req.size !== undefined }, 'swap added');
    return device;
  });
}

export function removeSwap(ctx: StorageContext, name: string, destroy: boolean) {
  return ctx.serial.run(async () => {
    const why = destroy ? apiaryHold(ctx.layout, { name, mountpoint: null }) : null;
    if (why) throw new ApiError('forbidden', `${name} is Apiary's: ${why}`);
    const swapping = (await listSwap(ctx.exec)).some((s) => s.dataset === name);
    if (!swapping) throw new ApiError('not_found', `${name} is not a swap device`);
    await refusingPlainly(() => removeSwapVolume(ctx.exec, name));
    setSwap(ctx.db, name, false);
    if (destroy) {
      await refusingPlainly(() => destroyAdminDataset(ctx.exec, name, false));
      deleteApiDatasets(ctx.db, name);
    }
    ctx.log.info({ dataset: name, destroyed: destroy }, 'swap removed');
  });
}

/** Swap on again the API's swap volumes a reboot dropped (swap -a does not persist). */
export function restoreSwap(ctx: StorageContext) {
  return ctx.serial.run(async () => {
    const wanted = listApiDatasets(ctx.db).filter((r) => r.swap);
    if (wanted.length === 0) return;
    const active = new Set((await listSwap(ctx.exec)).map((s) => s.dataset));
    for (const row of wanted) {
      if (active.has(row.name)) continue;
      await addSwapVolume(ctx.exec, row.name).then(
        () => ctx.log.info({ dataset: row.name }, 'swap restored'),
        (error) => ctx.log.error({ dataset: row.name, error }, 'swap could not be restored'),
      );
    }
  });
}

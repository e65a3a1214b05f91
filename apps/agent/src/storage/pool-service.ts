import { ApiError, type StoragePool } from '@apiary/protocol';
import type { HostExec } from '../host/exec.js';
import { listPoolUsage } from '../host/zpool-list.js';
import { readPoolStatus } from '../host/zpool-status.js';

/** Every pool: one `zpool list` for the numbers and one `zpool status` for the layout. */
export async function listPools(exec: HostExec): Promise<StoragePool[]> {
  const [usage, status] = await Promise.all([listPoolUsage(exec), readPoolStatus(exec)]);
  const layouts = new Map(status.map((s) => [s.name, s]));
  return usage.map((u) => {
    const layout = layouts.get(u.name);
    // A pool exported between the two commands: say so rather than show half of it.
    if (!layout) throw new ApiError('conflict', `pool ${u.name} changed while it was read`);
    return {
      ...u,
      vdevs: layout.vdevs,
      logs: layout.logs,
      cache: layout.cache,
      spares: layout.spares,
      errors: layout.errors,
    };
  });
}

import { ApiError } from '@apiary/protocol';
import { eq } from 'drizzle-orm';
import type { Ctx } from '../../context.js';
import type { DbOrTx } from '../../db/database.js';
import type { Demand } from '../placement/reservations.js';

/**
 * Why a host refused the extra capacity of a change, said per resource (`mem: 4096 MiB more
 * needed, 1024 MiB left`), read after the conditional write refused it.
 */
export async function capacityRefusal(
  ctx: Ctx,
  tx: DbOrTx,
  hostId: string,
  d: Demand,
): Promise<ApiError> {
  const { hosts } = ctx.t;
  const h = (await tx.select().from(hosts).where(eq(hosts.id, hostId)))[0];
  if (!h) return new ApiError('conflict', `host ${hostId} is not known`);
  if (h.liveness !== 'ready') {
    return new ApiError('conflict', `host ${h.id} is ${h.liveness}: it takes no changes now`, {
      retryable: true,
    });
  }
  if (h.policy !== 'eligible') {
    return new ApiError('conflict', `host ${h.id} is ${h.policy}: it takes no more capacity`);
  }
  const reasons: string[] = [];
  const check = (what: string, unit: string, need: number, used: number, total: number) => {
    if (need > 0 && used + need > total) {
      reasons.push(`${what}: ${need}${unit} more needed, ${Math.max(0, total - used)}${unit} left`);
    }
  };
  check('cpu', '', d.cpu, h.reservedCpu + h.foreignCpu, h.totalCpu);
  check('mem', ' MiB', d.mem, h.reservedMem + h.foreignMem, h.totalMem);
  check('disk', ' MiB', d.disk, h.reservedDisk + h.foreignDisk, h.totalDisk);
  return new ApiError(
    'insufficient_capacity',
    `host ${h.id} cannot take the change: ${reasons.join('; ') || 'its capacity changed meanwhile'}`,
  );
}

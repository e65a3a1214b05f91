import type { KstatContext } from './kstat-context.js';
import { instance } from './kstat-context.js';
import { type KstatInstance, u32, u64 } from './kstat-types.js';
import { guestMemory, uptimeMs } from './load-accounting.js';
import { poolBytesAt } from './load-devices.js';
import { AVG_IO_BYTES } from './load-state.js';

/**
 * ZFS: `zfs:0:arcstats` (a subset of arc.c's arc_stats, the sizes a monitor reads) and one
 * KSTAT_TYPE_IO kstat per pool, `zfs:0:POOL` of class `disk` (spa_iokstat, updated by
 * vdev_queue.c for every I/O issued to the pool's vdevs). illumos has no per-zvol or
 * per-dataset I/O kstat, so a zone's disk traffic is visible only in its pool's.
 */
const SERVICE_NS = 100_000n; // 0.1 ms of run-queue time per I/O

function poolKstat(ctx: KstatContext, name: string, read: bigint, written: bigint): KstatInstance {
  const reads = read / BigInt(AVG_IO_BYTES);
  const writes = written / BigInt(AVG_IO_BYTES);
  const busy = (reads + writes) * SERVICE_NS;
  const last = reads + writes > 0n ? ctx.hrnow : 0n;
  return instance(
    ctx,
    'zfs',
    0,
    name,
    'disk',
    [
      ['nread', u64(read)],
      ['nwritten', u64(written)],
      ['reads', u32(reads)],
      ['writes', u32(writes)],
      ['wtime', u64(0)],
      ['wlentime', u64(0)],
      ['wlastupdate', u64(last)],
      ['rtime', u64(busy)],
      ['rlentime', u64(busy)],
      ['rlastupdate', u64(last)],
      ['wcnt', u32(0)],
      ['rcnt', u32(0)],
    ],
    { type: 3 },
  );
}

/**
 * arc_init(): c_max = MAX(allmem * 3/4, allmem - 1G), c_min = MAX(allmem / 64, 32M). The
 * target `c` gives way to guest memory; `size` grows with what the pools read, up to `c`.
 */
function arcstats(ctx: KstatContext, poolReads: bigint): KstatInstance {
  const { state } = ctx;
  const allmem = BigInt(state.physmemPages) * BigInt(state.pagesize);
  const cMax =
    (allmem * 3n) / 4n > allmem - (1n << 30n) ? (allmem * 3n) / 4n : allmem - (1n << 30n);
  const cMin = allmem / 64n > 32n << 20n ? allmem / 64n : 32n << 20n;
  const squeezed = cMax - BigInt(guestMemory(state));
  const c = squeezed < cMin ? cMin : squeezed;
  const grown = allmem / 16n + poolReads;
  const size = grown < c ? grown : c;
  const misses = poolReads / BigInt(AVG_IO_BYTES);
  const hits = misses * 4n + BigInt(Math.floor(uptimeMs(state, ctx.now) / 1000)) * 50n;
  const metadata = size / 8n;
  return instance(ctx, 'zfs', 0, 'arcstats', 'misc', [
    ['hits', u64(hits)],
    ['misses', u64(misses)],
    ['demand_data_hits', u64((hits * 3n) / 4n)],
    ['demand_data_misses', u64(misses)],
    ['demand_metadata_hits', u64(hits / 4n)],
    ['demand_metadata_misses', u64(0)],
    ['p', u64(c / 2n)],
    ['c', u64(c)],
    ['c_min', u64(cMin)],
    ['c_max', u64(cMax)],
    ['size', u64(size)],
    ['hdr_size', u64(size / 200n)],
    ['data_size', u64(size - metadata)],
    ['metadata_size', u64(metadata)],
    ['other_size', u64(0)],
    ['arc_meta_used', u64(metadata)],
    ['arc_meta_limit', u64(c / 4n)],
    ['l2_hits', u64(0)],
    ['l2_misses', u64(0)],
    ['l2_size', u64(0)],
    ['memory_throttle_count', u64(0)],
  ]);
}

export function zfsKstats(ctx: KstatContext): KstatInstance[] {
  const pools = poolBytesAt(ctx.state, ctx.now);
  let reads = 0n;
  const out: KstatInstance[] = [];
  for (const pool of ctx.state.pools) {
    const bytes = pools.get(pool.name) ?? { rx: 0n, tx: 0n };
    reads += bytes.rx;
    out.push(poolKstat(ctx, pool.name, bytes.rx, bytes.tx));
  }
  out.push(arcstats(ctx, reads));
  return out;
}

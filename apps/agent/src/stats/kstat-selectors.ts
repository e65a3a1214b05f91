/*
 * Everything one usage sample reads, as the selectors of ONE `kstat -p` call. None names a VM:
 * the per-zone and per-link kstats of every VM come from the same wildcard selectors, so the
 * command (and its argv) is the same for 1 VM or 500. Each selector keeps `snaptime` (and
 * `crtime` where a kstat can be recreated) so rates divide by the kernel's own clock and a
 * recreated kstat is recognised. Sources (illumos-gate):
 *
 * - `cpu:N:sys`: per-CPU microstate nanoseconds, never decreasing (cpu.c,
 *   cpu_sys_stats_ks_update); the `cpu_ticks_*` are the same figures divided by nsec_per_tick.
 * - `unix:0:system_misc` (load averages, FSCALE 256), `unix:0:system_pages` (physmem, freemem
 *   in pages), raw `unix:0:vminfo` (running sums of free memory and swap, one addition a second
 *   counted by `updates`, decoded by kstat.c's save_vminfo): kstat_fr.c.
 * - `zfs:0:arcstats:size`: the ARC (arc.c). `zfs:0:POOL`: the pool's KSTAT_TYPE_IO kstat,
 *   `nread`/`nwritten` 64-bit, `reads`/`writes` uint_t (sys/kstat.h kstat_io_t), so no
 *   `zpool iostat` is needed.
 * - `vmm:0:vmm_reservoir`: guest memory of all bhyve VMs (vmm_reservoir.c).
 * - `link:0:LINK`: per datalink, the 64-bit byte and packet counters, the 32-bit error
 *   counters and the zone using the link (dls_stat.c).
 * - `zones:ID:NAME`: per zone CPU time (zone.c, zone_misc_kstat_create); recreated at every
 *   boot under a new zone id, counting from 0.
 */
export const SAMPLE_SELECTORS = [
  'cpu::sys:/^(cpu_nsec_(idle|user|kernel)|snaptime|crtime)$/',
  'unix:0:system_misc:/^(avenrun_(1|5|15)min|ncpus)$/',
  'unix:0:system_pages:/^(physmem|freemem)$/',
  'unix:0:vminfo:/^(freemem|swap_(resv|alloc|avail|free)|updates)$/',
  'zfs:0:arcstats:size',
  'zfs:0::/^(nread|nwritten|reads|writes|snaptime|crtime)$/',
  'vmm:0:vmm_reservoir:/^bytes_(alloc|transient_alloc)$/',
  'link:0::/^(rbytes64|obytes64|ipackets64|opackets64|ierrors|oerrors|zonename|snaptime|crtime)$/',
  'zones:::/^(zonename|nsec_user|nsec_sys|snaptime|crtime)$/',
] as const;

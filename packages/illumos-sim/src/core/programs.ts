import type { CommandHandler } from './io.js';

/**
 * The simulated programs, loaded on first use so one invocation only compiles the code of the
 * program it runs (start-up cost is the whole point of the simulator's budget).
 */
type Loader = () => Promise<CommandHandler>;

export const PROGRAMS: Record<string, Loader> = {
  zoneadm: async () => (await import('../zones/zoneadm.js')).zoneadm,
  zonecfg: async () => (await import('../zones/zonecfg.js')).zonecfg,
  zfs: async () => (await import('../zfs/zfs.js')).zfs,
  zpool: async () => (await import('../zfs/zpool.js')).zpool,
  dladm: async () => (await import('../net/dladm.js')).dladm,
  ipadm: async () => (await import('../net/ipadm.js')).ipadm,
  ipnat: async () => (await import('../net/ipnat.js')).ipnat,
  ipf: async () => (await import('../net/ipf.js')).ipf,
  ipfstat: async () => (await import('../net/ipfstat.js')).ipfstat,
  routeadm: async () => (await import('../net/routeadm.js')).routeadm,
  kstat: async () => (await import('../sys/kstat.js')).kstat,
  psrinfo: async () => (await import('../sys/psrinfo.js')).psrinfo,
  prtconf: async () => (await import('../sys/prtconf.js')).prtconf,
  pagesize: async () => (await import('../sys/pagesize.js')).pagesize,
  hostname: async () => (await import('../sys/hostname.js')).hostname,
  svcs: async () => (await import('../sys/svcs.js')).svcs,
  svcadm: async () => (await import('../sys/svcadm.js')).svcadm,
  zlogin: async () => (await import('../console/zlogin-batch.js')).zloginBatch,
  swap: async () => (await import('../swap/swap.js')).swap,
};

export const PROGRAM_NAMES = [...Object.keys(PROGRAMS), 'pfexec'];

import type { LoadState } from '../sys/load-state.js';

/**
 * The whole simulated host as one JSON document (`state.json` in the state directory). Every
 * command reads it; state changes happen under the host lock (see lock.ts) and are written
 * atomically (write + rename), so readers never see a torn file.
 */
export type ZoneState =
  | 'configured'
  | 'incomplete'
  | 'installed'
  | 'ready'
  | 'mounted'
  | 'running'
  | 'shutting_down'
  | 'down';

/**
 * A zone configuration as zonecfg sees it: global properties by their zonecfg names
 * (`zonepath`, `brand`, `autoboot`, `ip-type`, `bootargs`, ...) and resources in the order
 * they were added. Values are kept exactly as set; unset means absent.
 */
export interface ZoneConfig {
  props: Record<string, string>;
  resources: ZoneResource[];
}

export type ResourceType =
  | 'fs'
  | 'net'
  | 'device'
  | 'rctl'
  | 'attr'
  | 'dataset'
  | 'dedicated-cpu'
  | 'capped-cpu'
  | 'capped-memory'
  | 'admin'
  | 'security-flags';

export interface ZoneResource {
  type: ResourceType;
  props: Record<string, string>;
  /** fs `add options` values. */
  options?: string[];
  /** net/device `add property (name=..,value=..)`. */
  property?: Array<{ name: string; value: string }>;
  /** rctl `add value (priv=..,limit=..,action=..)`. */
  value?: Array<{ priv: string; limit: string; action: string }>;
}

export interface ZoneRecord {
  name: string;
  config: ZoneConfig;
  state: ZoneState;
  /** Empty until installed (index file field 4). */
  uuid: string;
  zoneid?: number;
  /** The 8th `list -p` field; assigned at install, empty before. */
  debugid?: number;
  /** When the zone last entered `running` (epoch ms), for the console's boot banner. */
  bootedAt?: number;
}

export type DatasetType = 'filesystem' | 'volume' | 'snapshot';

export interface DatasetRecord {
  name: string;
  type: DatasetType;
  guid: string;
  createtxg: number;
  creation: number;
  /** Locally set properties (native and user), as strings; `source` of these is `local`. */
  props: Record<string, string>;
  /** Properties that came with `zfs receive`: source `received`. */
  received?: Record<string, string>;
  volsize?: number;
  volblocksize?: number;
  /** Bytes of data this dataset holds itself (not shared with its origin). */
  unique: number;
  /** Bytes it references in total (its own plus what a clone shares with its origin). */
  referenced: number;
  origin?: string;
  /** Received with `zfs receive -u`: not mounted (its `mounted` property reads `no`). */
  unmounted?: boolean;
  /**
   * A new dataset a `zfs receive -s` left part-way: it is inconsistent and carries the state
   * its `receive_resume_token` describes (see src/zfs/zfs-receive-state.ts).
   */
  partial?: PartialReceive;
  /** An incremental `zfs receive -s` left part-way in the hidden clone `<name>/%recv`. */
  recvClone?: PartialReceive;
}

/** What a resumable receive has taken in so far (DS_FIELD_RESUME_* in the kernel). */
export interface PartialReceive {
  /** The snapshot the stream creates, as the sender named it (`toname`). */
  toname: string;
  toguid: string;
  fromguid?: string;
  /** The snapshot name the receive creates on this host (after -d/-e/target mapping). */
  snapshot: string;
  type: 'filesystem' | 'volume';
  /** Data offset reached (the resume point) and stream bytes taken in. */
  offset: number;
  bytes: number;
  /** Length of the volume data the stream carries in total. */
  length: number;
  volsize?: number;
  volblocksize?: number;
  referenced: number;
  props: Record<string, string>;
  /** `-o` (local) and `-x` (excluded) properties of the receive that started it. */
  overrides: Record<string, string>;
  excluded: string[];
  creation: number;
}

export interface PoolRecord {
  name: string;
  size: number;
  health: 'ONLINE' | 'DEGRADED' | 'FAULTED' | 'OFFLINE' | 'REMOVED' | 'UNAVAIL';
  guid: string;
  /** Top-level vdevs (`zpool status`); pools from older state files have none (one disk). */
  vdevs?: TopLevelVdev[];
}

/** A top-level vdev: a plain disk, or a mirror/raidz group of whole disks (`c1t0d0`). */
export interface TopLevelVdev {
  type: 'disk' | 'mirror' | 'raidz1' | 'raidz2' | 'raidz3';
  disks: string[];
}

export type LinkClass = 'phys' | 'vnic' | 'etherstub' | 'vlan' | 'aggr' | 'overlay';

/** An overlay device (dladm create-overlay): encapsulation, search plugin, their properties. */
export interface OverlayRecord {
  encap: string;
  search: string;
  vnetid: number;
  /** varpd instance id (`varpd/id`). */
  varpdId: number;
  /** Encapsulation and device properties as set (`vxlan/listen_ip`, `mtu`, ...). */
  props: Record<string, string>;
  /** Search plugin properties (`files/config`). */
  searchProps: Record<string, string>;
  /**
   * What varpd's `files` instance read from `files/config` when it last started (at creation
   * and at every varpd restart; null: its file could not be read then, so it answers nothing).
   */
  mapping?: Array<{ mac: string; ip?: string; port?: number }> | null;
}

/** An active swap area (`swap -a`), in the kernel's units: 512-byte blocks and pages. */
export interface SwapRecord {
  path: string;
  /** The zvol behind a /dev/zvol/dsk path, if any. */
  dataset?: string;
  /** ste_start: first block used (the first page is skipped). */
  startBlock: number;
  pages: number;
}

export interface LinkRecord {
  name: string;
  class: LinkClass;
  mtu: number;
  state: 'up' | 'down' | 'unknown';
  over?: string;
  mac?: string;
  macType?: 'random' | 'fixed' | 'factory';
  vid: number;
  speed: number;
  temporary: boolean;
  props: Record<string, string>;
  /** Physical links only. */
  media?: string;
  duplex?: string;
  device?: string;
  /** Aggregations: their ports, in order. */
  ports?: string[];
  /** VLANs created with -f. */
  force?: boolean;
  overlay?: OverlayRecord;
}

export interface IpInterfaceRecord {
  name: string;
  temporary: boolean;
  v4: boolean;
  v6: boolean;
}

export interface AddrRecord {
  addrobj: string;
  ifname: string;
  type: 'static' | 'dhcp' | 'addrconf';
  addr: string;
  temporary: boolean;
}

export interface IpfInstance {
  enabled: boolean;
  rulesIn: string[];
  rulesOut: string[];
  nat: string[];
}

export interface HostState {
  version: 1;
  hostname: string;
  hostid: string;
  cpus: number;
  physmemPages: number;
  pagesize: number;
  bootTime: number;
  release: string;
  nextZoneId: number;
  nextDebugId: number;
  nextTxg: number;
  zones: ZoneRecord[];
  pools: PoolRecord[];
  datasets: Record<string, DatasetRecord>;
  links: LinkRecord[];
  interfaces: IpInterfaceRecord[];
  addresses: AddrRecord[];
  forwarding: { ipv4: ProtoForwarding; ipv6: ProtoForwarding };
  /** ipfilter: `global` is the GZ instance; per-zone GZ-controlled instances by zone name. */
  ipfilter: { global: IpfInstance; zones: Record<string, IpfInstance> };
  /** Simulated activity (`apiary-sim load`); absent until a load is first set. */
  load?: LoadState;
  /** Swap areas in the order they were added (absent in older state files: none). */
  swap?: SwapRecord[];
  /** Next varpd instance id for overlays (absent: 1). */
  nextVarpdId?: number;
  /**
   * The loopback address of the Linux machine that stands for this host's public address: the
   * host's console daemon binds a listener there for each active rdr forward of a running zone
   * (a dev-fleet convenience outside illumos semantics; see public-address.ts). Absent: none.
   */
  publicAddress?: string;
}

export interface ProtoForwarding {
  current: 'on' | 'off';
  persistent?: 'on' | 'off';
  /** routeadm's SMF view, independent of the kernel value (see illumos-net.md section 2). */
  smf: 'enabled' | 'disabled';
  smfDefault?: boolean;
}

import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { randomGuid, randomHex } from '../core/ids.js';
import { parseSize } from '../core/sizes.js';
import { isInitialized, writeState } from '../core/state-store.js';
import type { HostState, LinkRecord, TopLevelVdev } from '../core/state-types.js';
import { emptyInstance } from '../net/rule-loading.js';
import { addDataset } from '../zfs/zfs-model.js';
import { parsePoolLayout, poolDisks } from './pool-layout.js';
import { checkPublicAddress } from './public-address.js';

/**
 * `apiary-sim init`: a fresh OmniOS host. Defaults: 8 CPUs, 32G RAM, pool `rpool` of 1T with
 * `rpool/zones` mounted at /zones, physical link e1000g0 (up, 1000 Mb/s) with a static
 * address, IPv4 forwarding off, IP Filter enabled. Re-initializing an initialized directory
 * is refused (`HostExistsError`) so a test can never wipe a host by accident.
 */
export interface InitOptions {
  cpus?: number;
  /** Bytes, or a size string like `32G`. */
  ram?: number | string;
  /** `layout`: see pool-layout.ts (`mirror:c1t0d0,c1t1d0`); default one disk `cNt0d0`. */
  pools?: Array<{ name: string; size: number | string; layout?: string | TopLevelVdev[] }>;
  links?: string[];
  /** Link aggregations over physical links from `links` (read-only in the simulator). */
  aggrs?: Array<{ name: string; ports: string[] }>;
  hostname?: string;
  /** Address of the first link, CIDR. */
  address?: string;
  /** Loopback address where the host's forwards listen (see public-address.ts). Default none. */
  publicAddress?: string;
}

export class HostExistsError extends Error {}

function toBytes(v: number | string, what: string): number {
  const n = typeof v === 'number' ? v : parseSize(v);
  if (n === undefined || !Number.isFinite(n) || n <= 0) throw new Error(`invalid ${what}: ${v}`);
  return n;
}

export function initHost(root: string, options: InitOptions = {}): HostState {
  if (isInitialized(root))
    throw new HostExistsError(`${root} already holds a simulated host; not re-initialized`);
  const cpus = options.cpus ?? 8;
  if (!Number.isInteger(cpus) || cpus < 1 || cpus > 1024)
    throw new Error(`invalid cpu count: ${cpus}`);
  const ram = toBytes(options.ram ?? '32G', 'ram size');
  const pools = options.pools ?? [{ name: 'rpool', size: '1T' }];
  const linkNames = options.links ?? ['e1000g0'];
  for (const l of linkNames) {
    if (!/^[A-Za-z][A-Za-z0-9_.]*\d$/.test(l) || l.length > 31)
      throw new Error(`invalid link name: ${l}`);
  }
  for (const p of pools) {
    if (!/^[A-Za-z][A-Za-z0-9_.:-]*$/.test(p.name)) throw new Error(`invalid pool name: ${p.name}`);
  }
  const layouts = assignLayouts(pools);
  validateAggrs(options.aggrs ?? [], linkNames);
  const hostname = options.hostname ?? 'omnios-sim';
  if (!/^[A-Za-z0-9][A-Za-z0-9.-]{0,62}$/.test(hostname))
    throw new Error(`invalid hostname: ${hostname}`);
  const publicAddress =
    options.publicAddress === undefined ? undefined : checkPublicAddress(options.publicAddress);
  mkdirSync(root, { recursive: true });
  const hostRoot = join(root, 'root');
  for (const dir of [
    'etc/zones',
    'etc/ipf',
    'dev/zvol/rdsk',
    'dev/zvol/dsk',
    'var/run/zones',
    'tmp',
    'usr/share/bhyve/firmware',
  ]) {
    mkdirSync(join(hostRoot, dir), { recursive: true });
  }
  for (const fw of ['BHYVE_RELEASE.fd', 'BHYVE_RELEASE_CSM.fd', 'BHYVE_DEBUG.fd']) {
    writeFileSync(join(hostRoot, 'usr/share/bhyve/firmware', fw), '');
  }
  writeFileSync(join(hostRoot, 'etc', 'nodename'), `${hostname}\n`);
  const state: HostState = {
    version: 1,
    hostname,
    hostid: randomHex(4),
    cpus,
    pagesize: 4096,
    // physmem excludes what the kernel keeps for itself (about 1.5% here)
    physmemPages: Math.floor((ram / 4096) * 0.985),
    bootTime: Math.floor(Date.now() / 1000),
    release: 'r151054',
    nextZoneId: 1,
    nextDebugId: 1,
    nextTxg: 1,
    zones: [],
    pools: [],
    datasets: {},
    links: linkNames.map(
      (name, i): LinkRecord => ({
        name,
        class: 'phys',
        mtu: 1500,
        state: 'up',
        vid: 0,
        speed: 1000,
        temporary: false,
        props: {},
        mac: `0:c:29:${randomHex(1).replace(/^0/, '')}:${randomHex(1).replace(/^0/, '')}:${(i + 16).toString(16)}`,
        macType: 'factory',
        media: 'Ethernet',
        duplex: 'full',
        device: name,
      }),
    ),
    interfaces: [{ name: 'lo0', temporary: false, v4: true, v6: true }],
    addresses: [
      { addrobj: 'lo0/v4', ifname: 'lo0', type: 'static', addr: '127.0.0.1/8', temporary: false },
      { addrobj: 'lo0/v6', ifname: 'lo0', type: 'static', addr: '::1/128', temporary: false },
    ],
    forwarding: {
      ipv4: { current: 'off', smf: 'disabled' },
      ipv6: { current: 'off', smf: 'disabled' },
    },
    ipfilter: { global: emptyInstance(true), zones: {} },
    ...(publicAddress ? { publicAddress } : {}),
  };
  for (const a of options.aggrs ?? []) state.links.push(aggregation(state, a));
  // the host's address sits on the first link, or on the aggregation that owns it
  const first = linkNames[0];
  const addressLink =
    (options.aggrs ?? []).find((a) => first && a.ports.includes(first))?.name ?? first;
  if (addressLink) {
    state.interfaces.push({ name: addressLink, temporary: false, v4: true, v6: false });
    state.addresses.splice(1, 0, {
      addrobj: `${addressLink}/v4`,
      ifname: addressLink,
      type: 'static',
      addr: options.address ?? '192.168.1.10/24',
      temporary: false,
    });
  }
  for (const [i, p] of pools.entries()) {
    state.pools.push({
      name: p.name,
      size: toBytes(p.size, 'pool size'),
      health: 'ONLINE',
      guid: randomGuid(),
      vdevs: layouts[i]!,
    });
    addDataset(state, hostRoot, { name: p.name, type: 'filesystem' });
  }
  const firstPool = state.pools[0];
  if (firstPool && !existsSync(join(hostRoot, 'zones'))) {
    addDataset(state, hostRoot, {
      name: `${firstPool.name}/zones`,
      type: 'filesystem',
      props: { mountpoint: '/zones' },
    });
  }
  writeState(root, state);
  return state;
}

/** Explicit layouts first, then one free `cNt0d0` disk for each pool without one. */
function assignLayouts(pools: NonNullable<InitOptions['pools']>): TopLevelVdev[][] {
  const layouts = pools.map((p) =>
    p.layout === undefined
      ? undefined
      : typeof p.layout === 'string'
        ? parsePoolLayout(p.layout)
        : p.layout,
  );
  const used = new Set<string>();
  for (const l of layouts) {
    for (const d of l ? poolDisks(l) : []) {
      if (used.has(d)) throw new Error(`disk ${d} is in more than one pool`);
      used.add(d);
    }
  }
  let next = 1;
  return layouts.map((l) => {
    if (l) return l;
    while (used.has(`c${next}t0d0`)) next++;
    const disk = `c${next}t0d0`;
    used.add(disk);
    return [{ type: 'disk' as const, disks: [disk] }];
  });
}

function validateAggrs(aggrs: NonNullable<InitOptions['aggrs']>, links: string[]): void {
  const taken = new Set<string>();
  for (const a of aggrs) {
    if (!/^[A-Za-z][A-Za-z0-9_.]*[1-9]?\d$/.test(a.name) || links.includes(a.name))
      throw new Error(`invalid aggregation name: ${a.name}`);
    if (a.ports.length === 0) throw new Error(`aggregation ${a.name} needs ports`);
    for (const p of a.ports) {
      if (!links.includes(p)) throw new Error(`aggregation port ${p} is not a --link`);
      if (taken.has(p)) throw new Error(`link ${p} is in more than one aggregation`);
      taken.add(p);
    }
  }
}

/** An aggregation as create-aggr makes it: policy L4, LACP off, MAC of its first port. */
function aggregation(state: HostState, a: { name: string; ports: string[] }): LinkRecord {
  const first = state.links.find((l) => l.name === a.ports[0]);
  return {
    name: a.name,
    class: 'aggr',
    mtu: 1500,
    state: 'up',
    vid: 0,
    speed: 0,
    temporary: false,
    props: {},
    mac: first?.mac ?? '0:0:0:0:0:0',
    macType: 'fixed',
    ports: [...a.ports],
  };
}

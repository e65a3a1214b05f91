import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { randomGuid, randomHex } from '../core/ids.js';
import { parseSize } from '../core/sizes.js';
import { isInitialized, writeState } from '../core/state-store.js';
import type { HostState, LinkRecord } from '../core/state-types.js';
import { emptyInstance } from '../net/rule-loading.js';
import { addDataset } from '../zfs/zfs-model.js';

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
  pools?: Array<{ name: string; size: number | string }>;
  links?: string[];
  hostname?: string;
  /** Address of the first link, CIDR. */
  address?: string;
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
  const hostname = options.hostname ?? 'omnios-sim';
  if (!/^[A-Za-z0-9][A-Za-z0-9.-]{0,62}$/.test(hostname))
    throw new Error(`invalid hostname: ${hostname}`);
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
  };
  const first = linkNames[0];
  if (first) {
    state.interfaces.push({ name: first, temporary: false, v4: true, v6: false });
    state.addresses.splice(1, 0, {
      addrobj: `${first}/v4`,
      ifname: first,
      type: 'static',
      addr: options.address ?? '192.168.1.10/24',
      temporary: false,
    });
  }
  for (const p of pools) {
    state.pools.push({
      name: p.name,
      size: toBytes(p.size, 'pool size'),
      health: 'ONLINE',
      guid: randomGuid(),
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

import {
  type Forwarding,
  formatBytes,
  type HostAddressList,
  type HostLink,
  type NatTable,
  type Network,
  type PoolVdev,
  type StorageDataset,
  type StoragePool,
  type SwapDevice,
} from '@apiary/protocol';
import { details, table } from '../lib/output.js';

/*
 * A host's links, networks and storage as tables (issue 14). Sizes arrive in exact bytes and
 * are shown humanised; `--json` prints them as they came. Apiary's own rows are marked so an
 * operator sees at once what the API will not let them remove.
 */

const dash = (v: string | number | null | undefined) =>
  v === null || v === undefined || v === '' ? '-' : String(v);
const bytes = (v: number | null) => (v === null ? '-' : formatBytes(v));
const owner = (o: string) => (o === 'apiary' ? 'apiary (kept)' : o);

export function renderLinks(links: HostLink[]): string {
  return table(
    ['LINK', 'CLASS', 'OVER', 'STATE', 'MTU', 'VLAN', 'MAC', 'OWNER', 'USED BY'],
    links.map((l) => [
      l.name,
      l.class,
      dash(l.over.join(',')),
      dash(l.state),
      dash(l.mtu),
      dash(l.vlan_id),
      dash(l.mac),
      owner(l.owner),
      dash(l.used_by.join(', ')),
    ]),
  );
}

export function renderAddresses(list: HostAddressList): string {
  return table(
    ['ADDROBJ', 'TYPE', 'STATE', 'ADDRESS', 'OWNER'],
    list.items.map((a) => [a.addrobj, a.type, a.state, dash(a.address), owner(a.owner)]),
  );
}

export function renderForwarding(f: Forwarding): string {
  return details([
    ['ipv4', f.ipv4 ? 'on' : 'off'],
    ['ipv6', f.ipv6 ? 'on' : 'off'],
  ]);
}

export function renderNat(nat: NatTable): string {
  const rules = table(
    ['OWNER', 'RULE'],
    nat.rules.map((r) => [owner(r.owner), r.rule]),
  );
  return `${rules}\n${nat.sessions} active session${nat.sessions === 1 ? '' : 's'}`;
}

export function renderNetworks(networks: Network[]): string {
  return table(
    ['NETWORK', 'KIND', 'LINK', 'VLAN', 'ADDRESSING', 'SUBNET', 'GATEWAY', 'RANGE', 'VMS'],
    networks.map((n) => [
      n.name,
      n.kind,
      n.link,
      dash(n.vlan),
      n.addressing,
      dash(n.subnet),
      dash(n.gateway),
      dash(n.range),
      n.vm_count,
    ]),
  );
}

export function renderNetwork(n: Network): string {
  return details([
    ['name', n.name],
    ['kind', n.kind],
    ['link', n.link],
    ['vlan', n.vlan],
    ['addressing', n.addressing],
    ['subnet', n.subnet],
    ['gateway', n.gateway],
    ['dns', n.dns.length > 0 ? n.dns.join(', ') : null],
    ['range', n.range],
    ['vms', n.vm_count],
  ]);
}

/** `rpool  40 GiB  12 GiB used  ONLINE`, then the vdev tree indented as `zpool status` has it. */
export function renderPools(pools: StoragePool[]): string {
  const head = table(
    ['POOL', 'SIZE', 'ALLOC', 'FREE', 'FRAG', 'HEALTH'],
    pools.map((p) => [
      p.name,
      formatBytes(p.size),
      formatBytes(p.allocated),
      formatBytes(p.free),
      p.fragmentation === null ? '-' : `${p.fragmentation}%`,
      p.health,
    ]),
  );
  const trees = pools.map((p) => {
    const lines = [`${p.name}`];
    const section = (name: string, vdevs: PoolVdev[]) => {
      if (vdevs.length === 0) return;
      lines.push(`  ${name}`);
      for (const v of vdevs) vdevLines(v, 2, lines);
    };
    for (const v of p.vdevs) vdevLines(v, 1, lines);
    section('logs', p.logs);
    section('cache', p.cache);
    section('spares', p.spares);
    if (p.errors) lines.push(`  errors: ${p.errors}`);
    return lines.join('\n');
  });
  return [head, ...trees].join('\n\n');
}

function vdevLines(v: PoolVdev, depth: number, lines: string[]) {
  const errors = v.read + v.write + v.cksum > 0 ? ` (${v.read}/${v.write}/${v.cksum} errors)` : '';
  const kind = v.type === 'disk' || v.type === 'file' ? '' : ` [${v.type}]`;
  lines.push(`${'  '.repeat(depth)}${v.name}${kind}  ${v.state}${errors}`);
  for (const child of v.children) vdevLines(child, depth + 1, lines);
}

export function renderDatasets(datasets: StorageDataset[]): string {
  return table(
    [
      'NAME',
      'TYPE',
      'USED',
      'AVAIL',
      'REFER',
      'QUOTA',
      'RESERV',
      'COMPRESS',
      'MOUNTPOINT',
      'OWNER',
    ],
    datasets.map((d) => [
      d.name,
      d.type,
      formatBytes(d.used),
      bytes(d.available),
      bytes(d.referenced),
      d.quota ? formatBytes(d.quota) : 'none',
      d.reservation ? formatBytes(d.reservation) : 'none',
      dash(d.compression),
      dash(d.mountpoint),
      owner(d.owner),
    ]),
  );
}

export function renderDataset(d: StorageDataset): string {
  return details([
    ['name', d.name],
    ['type', d.type],
    ['used', formatBytes(d.used)],
    ['available', bytes(d.available)],
    ...(d.type === 'volume' ? [['size', bytes(d.volsize)] as [string, string]] : []),
    ['quota', d.quota ? formatBytes(d.quota) : 'none'],
    ['reservation', d.reservation ? formatBytes(d.reservation) : 'none'],
    ['compression', d.compression],
    ['atime', d.atime],
    ['mountpoint', d.mountpoint],
    ['owner', d.owner],
  ]);
}

/** swap(8) counts 512-byte blocks. */
const BLOCK = 512;

export function renderSwap(devices: SwapDevice[]): string {
  return table(
    ['DEVICE', 'DATASET', 'SIZE', 'FREE'],
    devices.map((s) => [
      s.path,
      dash(s.dataset),
      formatBytes(s.blocks * BLOCK),
      formatBytes(s.free * BLOCK),
    ]),
  );
}

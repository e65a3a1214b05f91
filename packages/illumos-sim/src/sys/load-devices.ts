import type { HostState, ZoneRecord } from '../core/state-types.js';
import { resourcesOf } from '../zones/zone-config.js';
import { diskDatasetsOf } from '../zones/zone-usage.js';
import { liveDelta, produced, type Totals, uptimeMs } from './load-accounting.js';
import { type DeviceTotals, IDLE_BASELINE, ZERO_RATES, type ZoneLoadRecord } from './load-state.js';

/**
 * Where a zone's traffic and I/O land: its `net` links (and every link under a VNIC, since a
 * NIC's counters include its VNICs' traffic) and the pools of its disks. Used both when
 * settling (stored as strings) and when reading (adding the run in progress).
 */
export type DeviceCounters = Map<string, { rx: bigint; tx: bigint }>;

/** The links a zone's `net` resources name, as they exist now. */
export function zoneLinks(state: HostState, zone: ZoneRecord): string[] {
  return resourcesOf(zone.config, 'net')
    .map((n) => n.props.physical ?? '')
    .filter((name) => state.links.some((l) => l.name === name));
}

/** One pool per disk (a pool with two of the zone's disks gets two shares of its I/O). */
export function zonePools(state: HostState, zone: ZoneRecord): string[] {
  const pools = diskDatasetsOf(zone)
    .map((ds) => ds.split('/')[0]!)
    .filter((p) => state.pools.some((x) => x.name === p));
  if (pools.length > 0) return pools;
  const first = state.pools[0]?.name;
  return first ? [first] : [];
}

function bump(into: DeviceCounters, name: string, rx: bigint, tx: bigint): void {
  const cur = into.get(name) ?? { rx: 0n, tx: 0n };
  into.set(name, { rx: cur.rx + rx, tx: cur.tx + tx });
}

/** Adds `delta` to the zone's links (and the links under them) and pools, split evenly. */
export function distribute(
  state: HostState,
  rec: ZoneLoadRecord,
  delta: Totals,
  links: DeviceCounters,
  pools: DeviceCounters,
): void {
  const ls = rec.links ?? [];
  for (const name of ls) {
    const n = BigInt(ls.length);
    const seen = new Set<string>();
    let link = state.links.find((l) => l.name === name);
    while (link && !seen.has(link.name)) {
      seen.add(link.name);
      bump(links, link.name, delta.rxBytes / n, delta.txBytes / n);
      const over = link.over;
      link = over ? state.links.find((l) => l.name === over) : undefined;
    }
  }
  const ps = rec.pools ?? [];
  for (const name of ps) {
    const n = BigInt(ps.length);
    bump(pools, name, delta.readBytes / n, delta.writeBytes / n);
  }
}

export function fromStoredDevices(stored: Record<string, DeviceTotals> | undefined) {
  const out: DeviceCounters = new Map();
  for (const [name, t] of Object.entries(stored ?? {}))
    out.set(name, { rx: BigInt(t.rx), tx: BigInt(t.tx) });
  return out;
}

export function toStoredDevices(counters: DeviceCounters): Record<string, DeviceTotals> {
  const out: Record<string, DeviceTotals> = {};
  for (const [name, t] of counters) out[name] = { rx: `${t.rx}`, tx: `${t.tx}` };
  return out;
}

/** Bytes received/sent per link at `now`, including the idle trickle on physical links. */
export function linkBytesAt(state: HostState, now: number): DeviceCounters {
  const links = fromStoredDevices(state.load?.links);
  const pools: DeviceCounters = new Map();
  for (const zone of state.zones) {
    const rec = state.load?.zones[zone.name];
    if (rec) distribute(state, rec, liveDelta(rec, zone, now), links, pools);
  }
  const up = uptimeMs(state, now);
  const idle = produced(
    { ...ZERO_RATES, netRx: IDLE_BASELINE.linkRx, netTx: IDLE_BASELINE.linkTx },
    up,
  );
  for (const link of state.links) {
    if (link.class === 'phys') bump(links, link.name, idle.rxBytes, idle.txBytes);
  }
  return links;
}

/** Bytes read/written per pool at `now` (`rx` = read, `tx` = written). */
export function poolBytesAt(state: HostState, now: number): DeviceCounters {
  const links: DeviceCounters = new Map();
  const pools = fromStoredDevices(state.load?.pools);
  for (const zone of state.zones) {
    const rec = state.load?.zones[zone.name];
    if (rec) distribute(state, rec, liveDelta(rec, zone, now), links, pools);
  }
  const idle = produced(
    { ...ZERO_RATES, diskWrite: IDLE_BASELINE.poolWrite },
    uptimeMs(state, now),
  );
  for (const pool of state.pools) bump(pools, pool.name, 0n, idle.writeBytes);
  return pools;
}

import type { HostState, ZoneRecord } from '../core/state-types.js';
import {
  addTotals,
  decayAverages,
  fromStored,
  produced,
  type Totals,
  toStored,
  ZERO,
} from './load-accounting.js';
import {
  distribute,
  fromStoredDevices,
  toStoredDevices,
  zoneLinks,
  zonePools,
} from './load-devices.js';
import { IDLE_BASELINE, type ZoneLoadRecord } from './load-state.js';

/**
 * Settling: called on every write of the state (see state-store.ts), so a zone that boots,
 * halts or reboots closes its run at the moment the command changed it. The run that was going
 * on is the one recorded in `runId`, whatever the zone's new state is: a halted zone's run
 * lasted until now.
 */
export function settleLoad(state: HostState, now: number): void {
  const load = state.load;
  if (!load) return;
  let busy = IDLE_BASELINE.cpu;
  for (const rec of Object.values(load.zones)) if (rec.runId !== undefined) busy += rec.rates.cpu;
  load.avg = decayAverages(load.avg, busy, now - load.avgAt);
  load.avgAt = now;

  const links = fromStoredDevices(load.links);
  const pools = fromStoredDevices(load.pools);
  let hostCpu = BigInt(load.hostCpuNs);
  let hostMem = BigInt(load.hostMemByteSec);
  for (const [name, rec] of Object.entries(load.zones)) {
    const zone = state.zones.find((z) => z.name === name);
    const delta: Totals = rec.runId !== undefined ? produced(rec.rates, now - rec.since) : ZERO;
    rec.total = toStored(addTotals(fromStored(rec.total), delta));
    distribute(state, rec, delta, links, pools);
    hostCpu += delta.cpuNs;
    hostMem += delta.memByteSec;
    if (rec.runId !== undefined && rec.avg)
      rec.avg = decayAverages(rec.avg, rec.rates.cpu, now - rec.since);
    rec.since = now;
    followRun(state, rec, zone);
    if (!zone && rec.runId === undefined) delete load.zones[name];
  }
  load.hostCpuNs = `${hostCpu}`;
  load.hostMemByteSec = `${hostMem}`;
  load.links = toStoredDevices(links);
  load.pools = toStoredDevices(pools);
  for (const name of Object.keys(load.links))
    if (!state.links.some((l) => l.name === name)) delete load.links[name];
  for (const name of Object.keys(load.pools))
    if (!state.pools.some((p) => p.name === name)) delete load.pools[name];
}

/** Opens a run when the zone has (re)booted since the last settle, closes it when it stopped. */
export function followRun(state: HostState, rec: ZoneLoadRecord, zone: ZoneRecord | undefined) {
  const run = zone?.state === 'running' ? zone.zoneid : undefined;
  if (run === rec.runId) return;
  if (run === undefined || !zone) {
    delete rec.runId;
    delete rec.runStart;
    delete rec.links;
    delete rec.pools;
    delete rec.avg;
    return;
  }
  rec.runId = run;
  rec.runStart = { ...rec.total };
  rec.links = zoneLinks(state, zone);
  rec.pools = zonePools(state, zone);
  rec.avg = [0, 0, 0];
}

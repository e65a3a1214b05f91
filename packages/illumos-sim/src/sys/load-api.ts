import { updateState } from '../core/state-store.js';
import type { HostState } from '../core/state-types.js';
import { hostAveragesAt } from './load-accounting.js';
import { followRun, settleLoad } from './load-settle.js';
import {
  emptyLoadState,
  IDLE_BASELINE,
  type LoadRates,
  ZERO_RATES,
  zeroTotals,
} from './load-state.js';

/**
 * Setting a zone's simulated activity (`apiary-sim load`, or `setLoad` from a test). The rates
 * replace the zone's previous ones (fields left out are 0) from now on; what the old rates
 * produced so far is settled first, so counters never jump back.
 */
export class LoadError extends Error {}

const FIELDS = ['cpu', 'mem', 'netRx', 'netTx', 'diskRead', 'diskWrite'] as const;

export function checkRates(input: Partial<Record<keyof LoadRates, unknown>>): LoadRates {
  const rates: LoadRates = { ...ZERO_RATES };
  for (const key of Object.keys(input)) {
    if (!(FIELDS as readonly string[]).includes(key))
      throw new LoadError(`unknown load field '${key}'`);
  }
  for (const key of FIELDS) {
    const v = input[key];
    if (v === undefined) continue;
    if (typeof v !== 'number' || !Number.isFinite(v) || v < 0)
      throw new LoadError(`${key} must be a non-negative number, got ${String(v)}`);
    rates[key] = key === 'cpu' ? v : Math.round(v);
  }
  return rates;
}

function applyLoad(state: HostState, zoneName: string, rates: LoadRates | undefined, now: number) {
  const zone = state.zones.find((z) => z.name === zoneName);
  if (!zone) throw new LoadError(`${zoneName}: No such zone configured`);
  if (!state.load) state.load = emptyLoadState(hostAveragesAt(state, now), now);
  settleLoad(state, now);
  const load = state.load;
  if (!rates) {
    delete load.zones[zoneName];
    return;
  }
  let cpu = IDLE_BASELINE.cpu + rates.cpu;
  let mem = rates.mem;
  for (const [name, rec] of Object.entries(load.zones)) {
    if (name === zoneName) continue;
    cpu += rec.rates.cpu;
    mem += rec.rates.mem;
  }
  if (cpu > state.cpus)
    throw new LoadError(
      `cpu load of all zones (${cpu.toFixed(2)}) exceeds the host's ${state.cpus} CPUs`,
    );
  // Guest memory comes out of freemem (60% of physmem on the simulated host).
  if (mem > Math.floor(state.physmemPages * 0.6) * state.pagesize)
    throw new LoadError(`memory of all zones (${mem} bytes) exceeds the host's free memory`);
  const rec = load.zones[zoneName] ?? { rates: { ...ZERO_RATES }, since: now, total: zeroTotals() };
  load.zones[zoneName] = rec;
  followRun(state, rec, zone);
  rec.rates = rates;
}

export async function setLoad(
  root: string,
  zone: string,
  rates: Partial<LoadRates>,
): Promise<void> {
  const checked = checkRates(rates);
  await updateState(root, (state) => applyLoad(state, zone, checked, Date.now()));
}

/** Stops the zone's activity; what it produced so far stays in the host and link counters. */
export async function clearLoad(root: string, zone: string): Promise<void> {
  await updateState(root, (state) => applyLoad(state, zone, undefined, Date.now()));
}

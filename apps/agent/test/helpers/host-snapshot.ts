import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { readState } from '@apiary/illumos-sim';

/**
 * Everything on a simulated host that a VM could leave behind, in comparable form: zones,
 * datasets, links, addresses, NAT and filter rules, and the files the agent writes.
 */
export function hostSnapshot(simRoot: string) {
  const s = readState(simRoot);
  const cloudInit = join(simRoot, 'root', 'var', 'apiary', 'cloud-init');
  return {
    zones: s.zones.map((z) => `${z.name}:${z.state}`).sort(),
    datasets: Object.keys(s.datasets).sort(),
    links: s.links.map((l) => `${l.name}:${l.class}${l.over ? `:${l.over}` : ''}`).sort(),
    addresses: s.addresses.map((a) => `${a.addrobj}=${a.addr}`).sort(),
    nat: [...s.ipfilter.global.nat],
    globalRules: [...s.ipfilter.global.rulesIn, ...s.ipfilter.global.rulesOut],
    zoneRules: Object.fromEntries(
      Object.entries(s.ipfilter.zones)
        .filter(([, inst]) => inst.rulesIn.length + inst.rulesOut.length > 0)
        .map(([zone, inst]) => [zone, [...inst.rulesOut, ...inst.rulesIn]]),
    ),
    cloudInit: existsSync(cloudInit) ? readdirSync(cloudInit).sort() : [],
  };
}

export type HostSnapshot = ReturnType<typeof hostSnapshot>;

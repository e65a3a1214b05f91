import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { readState } from '@apiary/illumos-sim';

/**
 * Everything on a simulated host that a VM could leave behind, in comparable form: zones and
 * their configurations, datasets, links, addresses, NAT and filter rules, and the files the
 * agent writes on the host (cloud-init user-data, each zone's ipf.conf) with their contents.
 */
export function hostSnapshot(simRoot: string) {
  const s = readState(simRoot);
  const hostRoot = join(simRoot, 'root');
  return {
    zones: s.zones.map((z) => `${z.name}:${z.state}`).sort(),
    // A zone configured twice over, or half, shows here even when its state looks right.
    zoneConfigs: Object.fromEntries(s.zones.map((z) => [z.name, z.config])),
    datasets: Object.keys(s.datasets).sort(),
    // A volume grown and not shrunk back by an undo shows here, not in the names.
    volsizes: Object.fromEntries(
      Object.values(s.datasets)
        .filter((d) => d.type === 'volume')
        .map((d) => [d.name, d.volsize ?? null])
        .sort(([a], [b]) => String(a).localeCompare(String(b))),
    ),
    links: s.links.map((l) => `${l.name}:${l.class}${l.over ? `:${l.over}` : ''}`).sort(),
    addresses: s.addresses.map((a) => `${a.addrobj}=${a.addr}`).sort(),
    nat: [...s.ipfilter.global.nat],
    globalRules: [...s.ipfilter.global.rulesIn, ...s.ipfilter.global.rulesOut],
    zoneRules: Object.fromEntries(
      Object.entries(s.ipfilter.zones)
        .filter(([, inst]) => inst.rulesIn.length + inst.rulesOut.length > 0)
        .map(([zone, inst]) => [zone, [...inst.rulesOut, ...inst.rulesIn]]),
    ),
    cloudInit: fileContents(join(hostRoot, 'var', 'apiary', 'cloud-init')),
    // Environment overlays' varpd mapping files (issue 14).
    overlayMappings: fileContents(join(hostRoot, 'var', 'apiary', 'overlays')),
    // The egress rules the bhyve brand loads into a zone's filter at every boot.
    ipfConf: Object.fromEntries(
      s.zones.flatMap((z) => {
        const zonepath = z.config.props.zonepath;
        const path = zonepath ? join(hostRoot, zonepath, 'etc', 'ipf.conf') : '';
        return path && existsSync(path) ? [[z.name, readFileSync(path, 'utf8')]] : [];
      }),
    ),
  };
}

export type HostSnapshot = ReturnType<typeof hostSnapshot>;

/** Every file under `dir` (relative path -> contents); empty when `dir` does not exist. */
export function fileContents(dir: string): Record<string, string> {
  return Object.fromEntries(filesUnder(dir).map((f) => [f, readFileSync(join(dir, f), 'utf8')]));
}

/** The files under `dir`, recursively, as sorted relative paths (directories themselves not). */
export function filesUnder(dir: string): string[] {
  if (!existsSync(dir)) return [];
  const found: string[] = [];
  const walk = (at: string) => {
    for (const entry of readdirSync(at, { withFileTypes: true })) {
      const path = join(at, entry.name);
      if (entry.isDirectory()) walk(path);
      else found.push(relative(dir, path));
    }
  };
  if (statSync(dir).isDirectory()) walk(dir);
  return found.sort();
}

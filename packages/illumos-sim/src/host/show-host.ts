import { join } from 'node:path';
import { nicenum } from '../core/sizes.js';
import { readState } from '../core/state-store.js';
import { SpaceCalculator } from '../zfs/zfs-space.js';

/** `apiary-sim show`: a human summary of the host. */
export function summarizeHost(root: string): string {
  const s = readState(root);
  const space = new SpaceCalculator(s, join(root, 'root'));
  const lines: string[] = [];
  lines.push(
    `host ${s.hostname} (${s.release}): ${s.cpus} CPUs, ${nicenum(s.physmemPages * s.pagesize)} RAM`,
  );
  lines.push('', 'zones:');
  if (s.zones.length === 0) lines.push('  (none)');
  for (const z of s.zones) {
    lines.push(
      `  ${z.name.padEnd(24)} ${z.state.padEnd(12)} ${z.config.props.brand ?? 'ipkg'} ${z.config.props.zonepath ?? '-'}${z.zoneid !== undefined ? ` id=${z.zoneid}` : ''}`,
    );
  }
  lines.push('', 'pools:');
  for (const p of s.pools)
    lines.push(
      `  ${p.name} size ${nicenum(p.size)} alloc ${nicenum(space.allocated(p.name))} ${p.health}`,
    );
  lines.push('', 'datasets:');
  for (const d of Object.values(s.datasets).sort((a, b) => (a.name < b.name ? -1 : 1))) {
    lines.push(
      `  ${d.name.padEnd(48)} ${d.type.padEnd(10)} used ${nicenum(space.used(d)).padEnd(6)}${d.volsize ? ` volsize ${nicenum(d.volsize)}` : ''}${d.origin ? ` origin ${d.origin}` : ''}`,
    );
  }
  lines.push('', 'links:');
  for (const l of s.links)
    lines.push(
      `  ${l.name.padEnd(20)} ${l.class.padEnd(10)} ${l.over ? `over ${l.over} ` : ''}${l.mac ?? ''}${l.vid ? ` vid ${l.vid}` : ''}`,
    );
  lines.push('', 'addresses:');
  for (const a of s.addresses) lines.push(`  ${a.addrobj.padEnd(20)} ${a.addr}`);
  lines.push(`  ipv4 forwarding: ${s.forwarding.ipv4.current}`);
  lines.push('', `ipfilter: ${s.ipfilter.global.enabled ? 'enabled' : 'disabled'}`);
  const rules = (label: string, inst: typeof s.ipfilter.global) => {
    for (const r of inst.nat) lines.push(`  ${label} nat: ${r}`);
    for (const r of inst.rulesOut) lines.push(`  ${label} out: ${r}`);
    for (const r of inst.rulesIn) lines.push(`  ${label} in:  ${r}`);
  };
  rules('global', s.ipfilter.global);
  for (const [zone, inst] of Object.entries(s.ipfilter.zones)) rules(`zone ${zone}`, inst);
  return `${lines.join('\n')}\n`;
}

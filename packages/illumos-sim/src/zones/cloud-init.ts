import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { HostState, ZoneRecord } from '../core/state-types.js';
import { attrValue, resourcesOf } from './zone-config.js';

/**
 * The bhyve brand's cloud-init seed (boot.py, r151050 behaviour): on every boot with a truthy
 * `cloud-init` attr, `<zonepath>/root/cloud-init/{meta-data,user-data,network-config}` and a
 * stand-in `<zonepath>/root/cloud-init.iso` (the simulator does not build ISO images; the
 * file lists the seed's files so tests can see it was made).
 */
const FALSE = new Set(['off', 'false', 'no', '0']);

function gzFileOr(hostRoot: string, value: string): string {
  if (value.startsWith('/')) {
    const path = join(hostRoot, value);
    if (existsSync(path)) return readFileSync(path, 'utf8').trim();
  }
  return value;
}

export function writeCloudInit(state: HostState, hostRoot: string, zone: ZoneRecord): void {
  const ci = attrValue(zone.config, 'cloud-init');
  const zp = zone.config.props.zonepath;
  if (!zp || ci === undefined || FALSE.has(ci.toLowerCase())) return;
  if (/^https?:\/\//.test(ci)) return;
  const dir = join(hostRoot, zp, 'root', 'cloud-init');
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const uuid = attrValue(zone.config, 'uuid') ?? zone.uuid;
  writeFileSync(join(dir, 'meta-data'), `instance-id: ${uuid}\nlocal-hostname: ${zone.name}\n`);
  let user: string;
  if (ci.startsWith('/') && existsSync(join(hostRoot, ci)))
    user = readFileSync(join(hostRoot, ci), 'utf8');
  else {
    user = `#cloud-config\nhostname: ${zone.name}\ndisable_root: false\n`;
    const password = attrValue(zone.config, 'password');
    if (password !== undefined) {
      user += `password: ${gzFileOr(hostRoot, password)}\nchpasswd: { expire: false }\nssh_pwauth: true\n`;
    }
    const key = attrValue(zone.config, 'sshkey');
    if (key !== undefined) {
      const k = gzFileOr(hostRoot, key);
      user += `ssh_authorized_keys:\n  - ${k}\nusers:\n  - default\n  - name: root\n    ssh_authorized_keys:\n      - ${k}\n`;
    }
  }
  writeFileSync(join(dir, 'user-data'), user);
  const nets = resourcesOf(zone.config, 'net').filter((n) => n.props['allowed-address']);
  if (nets.length > 0) {
    let net = 'version: 2\nethernets:\n';
    nets.forEach((n, i) => {
      const vnic = n.props.physical ?? `net${i}`;
      const link = state.links.find((l) => l.name === vnic);
      const mac = link?.mac
        ? link.mac
            .split(':')
            .map((p) => p.padStart(2, '0'))
            .join(':')
        : undefined;
      net += `  ${vnic}:\n`;
      if (mac) net += `    match:\n      macaddress: ${mac}\n    set-name: ${vnic}\n`;
      net += `    addresses: [${n.props['allowed-address']}]\n`;
      if (n.props.defrouter)
        net += `    routes:\n      - to: 0.0.0.0/0\n        via: ${n.props.defrouter}\n`;
      const resolvers = attrValue(zone.config, 'resolvers');
      const domain = attrValue(zone.config, 'dns-domain');
      if (i === 0 && (resolvers || domain)) {
        net += '    nameservers:\n';
        if (resolvers) net += `      addresses: [${resolvers.split(',').join(', ')}]\n`;
        if (domain) net += `      search: [${domain}]\n`;
      }
    });
    writeFileSync(join(dir, 'network-config'), net);
  }
  writeFileSync(
    join(hostRoot, zp, 'root', 'cloud-init.iso'),
    'CIDATA (simulated): meta-data user-data network-config\n',
  );
}

import type { HostExec } from './exec.js';
import { failedWith } from './host-command-error.js';
import { checkName, ZoneName } from './names.js';

/*
 * deny_outgoing through the zone's own GZ-controlled IP Filter instance (`-G ZONE`): for a
 * bhyve guest on viona, guest transmit is `out`. Blocking SYN-without-ACK stops connections the
 * guest opens while its SYN/ACK replies to forwarded inbound connections still flow; UDP and
 * ICMP echo the guest starts are blocked too. Another VM's instance is never touched.
 */
export function renderEgressRules(): string[] {
  return [
    'block out quick proto tcp from any to any flags S/SA',
    'block out quick proto udp from any to any',
    'block out quick proto icmp from any to any icmp-type echo',
  ];
}

const zone = (name: string) => checkName(ZoneName, name, 'zone');

/** Enable the zone's instance (`ipf -GE ZONE`). */
export async function enableZoneFilter(exec: HostExec, name: string) {
  await exec.run('ipf', ['-GE', zone(name)]);
}

/** Replace the zone's rules: flush its instance, then load `rules` (`ipf -G -Fa -f - ZONE`). */
export async function loadZoneRules(exec: HostExec, name: string, rules: string[]) {
  await exec.run('ipf', ['-G', '-Fa', '-f', '-', zone(name)], { input: `${rules.join('\n')}\n` });
}

/** Flush the zone's rules; a zone that is not running has none loaded. */
export async function flushZoneRules(exec: HostExec, name: string) {
  try {
    await exec.run('ipf', ['-G', '-Fa', zone(name)]);
  } catch (error) {
    if (failedWith(error, 'Could not find running zone')) return;
    throw error;
  }
}

/** Parse `ipfstat -R -io`: rules one per line (empty lists are reported on stderr). */
export function parseIpfstat(stdout: string): string[] {
  return stdout
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '' && !l.startsWith('empty list for'));
}

export async function listZoneRules(exec: HostExec, name: string): Promise<string[]> {
  const { stdout } = await exec.run('ipfstat', ['-R', '-io', '-G', zone(name)]);
  return parseIpfstat(stdout);
}

import type { HostExec } from './exec.js';
import { checkName, Ipv4, LinkName } from './names.js';

/*
 * ipnat rules in the global zone's NAT table. Rules are added with `ipnat -f -` and removed one
 * by one with `ipnat -r -f -` and the identical text, so changing one VM's forwards never
 * touches another's (and never flushes: `ipnat -C`/`-F` would drop every VM's rules/sessions).
 */

export interface PortForward {
  hostPort: number;
  ip: string;
  guestPort: number;
}

function port(p: number): number {
  if (!Number.isInteger(p) || p < 1 || p > 65535) throw new TypeError(`bad port ${p}`);
  return p;
}

/** `rdr LINK 0.0.0.0/0 port HOSTPORT -> IP port GUESTPORT tcp`. */
export function renderRdrRule(link: string, f: PortForward): string {
  return `rdr ${checkName(LinkName, link, 'link')} 0.0.0.0/0 port ${port(f.hostPort)} -> ${checkName(Ipv4, f.ip, 'ip')} port ${port(f.guestPort)} tcp`;
}

/** Outbound NAT for the private network: TCP/UDP with port mapping, then everything else. */
export function renderMapRules(link: string, subnet: string): string[] {
  const l = checkName(LinkName, link, 'link');
  if (!/^\d{1,3}(\.\d{1,3}){3}\/\d{1,2}$/.test(subnet)) throw new TypeError(`bad subnet ${subnet}`);
  return [`map ${l} ${subnet} -> 0/32 portmap tcp/udp auto`, `map ${l} ${subnet} -> 0/32`];
}

/**
 * Normalize a rule as the kernel re-renders it in `ipnat -l` (`0/32` -> `0.0.0.0/32`, single
 * spaces), so rules we wrote can be compared with rules we read.
 */
export function normalizeNatRule(rule: string): string {
  return rule
    .trim()
    .split(/\s+/)
    .map((t) => (t === '0/32' ? '0.0.0.0/32' : t === '0/0' ? '0.0.0.0/0' : t))
    .join(' ');
}

/** Parse `ipnat -l`: the active rules (normalized) and the number of sessions. */
export function parseNatList(stdout: string): { rules: string[]; sessions: number } {
  const rules: string[] = [];
  let sessions = 0;
  let section: 'rules' | 'sessions' | null = null;
  for (const line of stdout.split('\n')) {
    if (line.startsWith('List of active MAP/Redirect filters')) section = 'rules';
    else if (line.startsWith('List of active sessions')) section = 'sessions';
    else if (line.trim() === '') continue;
    else if (section === 'rules')
      rules.push(normalizeNatRule(line.replace(/^\d+ (?=(map|rdr|bimap))/, '')));
    else if (section === 'sessions') sessions++;
  }
  return { rules, sessions };
}

export async function listNatRules(exec: HostExec): Promise<string[]> {
  const { stdout } = await exec.run('ipnat', ['-l']);
  return parseNatList(stdout).rules;
}

/** Add rules; a rule that is already loaded is reported on stderr with exit 0 (idempotent). */
export async function addNatRules(exec: HostExec, rules: string[]) {
  if (rules.length === 0) return;
  await exec.run('ipnat', ['-f', '-'], { input: `${rules.join('\n')}\n` });
}

/** Remove rules by exact content; a missing rule is reported with exit 0 (idempotent). */
export async function removeNatRules(exec: HostExec, rules: string[]) {
  if (rules.length === 0) return;
  await exec.run('ipnat', ['-r', '-f', '-'], { input: `${rules.join('\n')}\n` });
}

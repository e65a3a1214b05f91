import type { HostExec } from './exec.js';

/** Parse `psrinfo`: `ID\tSTATE  since DATE`; counts processors that are on-line (or no-intr). */
export function parsePsrinfo(stdout: string): { total: number; online: number } {
  let total = 0;
  let online = 0;
  for (const line of stdout.split('\n')) {
    const m = /^(\d+)\s+(\S+)/.exec(line);
    if (!m) continue;
    total++;
    if (m[2] === 'on-line' || m[2] === 'no-intr') online++;
  }
  return { total, online };
}

/** Parse `prtconf -m`: memory in MiB on one line. */
export function parsePrtconfMemory(stdout: string): number {
  const m = /^\s*(\d+)\s*$/m.exec(stdout) ?? /Memory size:\s*(\d+)\s*Megabytes/.exec(stdout);
  if (!m) throw new Error(`prtconf: no memory size in ${JSON.stringify(stdout.slice(0, 100))}`);
  return Number(m[1]);
}

export async function readCpuCount(exec: HostExec): Promise<number> {
  const { stdout } = await exec.run('psrinfo', []);
  return parsePsrinfo(stdout).online;
}

export async function readMemoryMiB(exec: HostExec): Promise<number> {
  const { stdout } = await exec.run('prtconf', ['-m']);
  return parsePrtconfMemory(stdout);
}

/** The host's node name as the host reports it (`hostname`); null when it says nothing. */
export async function readHostname(exec: HostExec): Promise<string | null> {
  const { stdout } = await exec.run('hostname', []);
  const name = stdout.trim();
  return /^[A-Za-z0-9][A-Za-z0-9.-]{0,254}$/.test(name) ? name : null;
}

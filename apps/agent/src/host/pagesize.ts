import type { HostExec } from './exec.js';

/** Parse `pagesize`: the base page size in bytes on one line (pagesize(1)). */
export function parsePageSize(stdout: string): number {
  const m = /^\s*(\d+)\s*$/m.exec(stdout);
  const size = m ? Number(m[1]) : Number.NaN;
  if (!Number.isInteger(size) || size < 512) {
    throw new Error(`pagesize: no page size in ${JSON.stringify(stdout.slice(0, 100))}`);
  }
  return size;
}

/** The host's page size (memory kstats count pages). Fixed while the host runs. */
export async function readPageSize(exec: HostExec): Promise<number> {
  const { stdout } = await exec.run('pagesize', [], { quiet: true });
  return parsePageSize(stdout);
}

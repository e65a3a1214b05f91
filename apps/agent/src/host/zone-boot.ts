import { open, stat } from 'node:fs/promises';
import { sleep } from '@apiary/protocol';
import type { HostExec } from './exec.js';
import { getZone, type ZoneState, zoneadm } from './zoneadm.js';

/*
 * `zoneadm boot` exits 0 once the zone's init is started, and for a bhyve zone init *is* bhyve:
 * when bhyve then fails (a disk it cannot open, a missing bootrom file) it exits, the brand does
 * not restart it, and the zone halts back to `installed` with bhyve's reason in
 * `<zonepath>/root/tmp/init.log`. So a boot is only trusted once the zone is seen `running`
 * after a short settle; otherwise it fails with the reason from init.log.
 */

export interface BootCheck {
  /** Wait this long after `zoneadm boot` returns before looking (bhyve fails within it). */
  settleMs: number;
  /** While the zone is on its way down (shutting_down, down, ready), look again this often... */
  pollMs: number;
  /** ...for at most this long after the settle. */
  maxWaitMs: number;
}

export const DEFAULT_BOOT_CHECK: BootCheck = { settleMs: 1_000, pollMs: 250, maxWaitMs: 15_000 };

/** A zone that did not stay up after `zoneadm boot`/`reboot` exited 0. */
export class ZoneBootError extends Error {
  override readonly name = 'ZoneBootError';
  constructor(
    readonly zone: string,
    /** What `zoneadm list` showed last; null when the zone was gone. */
    readonly state: ZoneState | null,
    /** bhyve's line from init.log, when there was one. */
    readonly reason: string | null,
    initLog: string,
  ) {
    const where = state === null ? 'is gone' : `is ${state}`;
    super(
      `zone ${zone} ${where} after boot: ${reason ?? `no reason found in ${initLog}`}`.slice(
        0,
        500,
      ),
    );
  }
}

const TRANSITIONAL: ReadonlySet<ZoneState> = new Set(['ready', 'shutting_down', 'down']);

/**
 * Boot (or reboot) a zone and confirm it runs: one `zoneadm -z NAME list -p` after the settle
 * in the normal case, a few more only while the zone is seen halting. `initLog` is where the
 * agent reads the zone's init.log (the host path under --host-root), as the host sees it.
 */
export async function bootZone(
  exec: HostExec,
  name: string,
  verb: 'boot' | 'reboot',
  initLog: { real: string; shown: string },
  check: BootCheck = DEFAULT_BOOT_CHECK,
): Promise<void> {
  const logStart = await fileSize(initLog.real);
  await zoneadm(exec, name, verb);
  await sleep(check.settleMs);
  const deadline = Date.now() + check.maxWaitMs;
  for (;;) {
    const zone = await getZone(exec, name);
    if (zone?.state === 'running') return;
    if (zone && TRANSITIONAL.has(zone.state) && Date.now() < deadline) {
      await sleep(check.pollMs);
      continue;
    }
    const reason = await readBootFailure(initLog.real, logStart);
    throw new ZoneBootError(name, zone?.state ?? null, reason, initLog.shown);
  }
}

async function fileSize(path: string): Promise<number> {
  return stat(path).then(
    (s) => s.size,
    () => 0,
  );
}

/** Longest stretch of init.log read back (bhyve's complaint is a line or two). */
const MAX_TAIL = 64 * 1024;

/**
 * What init.log gained since `from` (all of it if it was recreated and is shorter now): the
 * first line that reads like an error, else the last line. Null when nothing can be read
 * (an unprivileged agent cannot read a 0700 zonepath; the message then names the file).
 */
export async function readBootFailure(path: string, from: number): Promise<string | null> {
  let text: string;
  try {
    const handle = await open(path, 'r');
    try {
      const { size } = await handle.stat();
      const start = Math.max(size < from ? 0 : from, size - MAX_TAIL);
      const buffer = Buffer.alloc(size - start);
      await handle.read(buffer, 0, buffer.length, start);
      text = buffer.toString('utf8');
    } finally {
      await handle.close();
    }
  } catch {
    return null;
  }
  return pickReason(text);
}

/** Pure: the line of an init.log excerpt that explains a halt (timestamps dropped). */
export function pickReason(text: string): string | null {
  const lines = text
    .split('\n')
    .map((l) => l.replace(/^\d{4}-\d\d-\d\dT[\d:.]+Z?\s+/, '').trim())
    // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are dropped
    .map((l) => l.replace(/[\u0000-\u001f\u007f]/g, ''))
    .filter((l) => l !== '');
  const error = lines.find((l) =>
    /error|could not|cannot|can't|failed|unable|no such|not found|denied/i.test(l),
  );
  const line = error ?? lines.at(-1);
  return line === undefined ? null : line.slice(0, 300);
}

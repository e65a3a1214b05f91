import { GetoptError, getopt } from '../core/getopt.js';
import type { CommandHandler } from '../core/io.js';
import { readState } from '../core/state-store.js';

/**
 * zlogin without a terminal (the in-process path and pipes). `zlogin -C` needs a tty: on a
 * pipe it prints the banner and then fails exactly as illumos's zlogin does. Running commands
 * inside a zone is not simulated (a bhyve zone's only process is bhyve).
 */
const USAGE =
  'zlogin: usage: zlogin [-dnQCEINS] [-e cmdchar] [-l user] zonename [command [argument ...]]\n';

export function checkZone(root: string, zone: string): string | undefined {
  const z = readState(root).zones.find((x) => x.name === zone);
  if (!z) return `zlogin: zone '${zone}' unknown\n`;
  if (z.state === 'configured' || z.state === 'incomplete')
    return `zlogin: cannot login to a zone which is '${z.state}'\n`;
  return undefined;
}

export function parseZlogin(args: string[]) {
  const opts = getopt(args, 'dnQCEINSe:l:R:');
  const console = opts.flags.has('C');
  const zone = opts.operands[0];
  const bad =
    zone === undefined ||
    (console &&
      (opts.flags.has('l') ||
        opts.flags.has('n') ||
        opts.flags.has('S') ||
        opts.operands.length > 1));
  return { opts, console, zone, bad };
}

export const zloginBatch: CommandHandler = (io, args) => {
  let parsed: ReturnType<typeof parseZlogin>;
  try {
    parsed = parseZlogin(args);
  } catch (error) {
    if (!(error instanceof GetoptError)) throw error;
    io.err(USAGE);
    return 2;
  }
  const { opts, console, zone, bad } = parsed;
  if (opts.flags.has('d') && !console) {
    io.err('zlogin: -d may only be specified with console login\n');
    return 2;
  }
  if (bad || zone === undefined) {
    io.err(USAGE);
    return 2;
  }
  const problem = checkZone(io.root, zone);
  if (problem) {
    io.err(problem);
    return 1;
  }
  if (console) {
    if (!opts.flags.has('Q')) io.out(`[Connected to zone '${zone}' console]\n`);
    io.err(
      'zlogin: failed to get user terminal settings: Inappropriate ioctl for device\nzlogin: failed to set stdin pty to raw mode: Inappropriate ioctl for device\n',
    );
    return 1;
  }
  const z = readState(io.root).zones.find((x) => x.name === zone)!;
  if (z.state !== 'running') {
    io.err(`zlogin: login allowed only to running zones (${zone} is '${z.state}').\n`);
    return 1;
  }
  io.err(
    `zlogin: ${zone}: running commands inside a ${z.config.props.brand ?? 'ipkg'} zone is not simulated\n`,
  );
  return 1;
};

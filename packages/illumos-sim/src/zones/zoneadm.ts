import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { GetoptError, getopt, lastValue } from '../core/getopt.js';
import type { CommandHandler, CommandIo } from '../core/io.js';
import { readState, updateState } from '../core/state-store.js';
import type { HostState, ZoneRecord } from '../core/state-types.js';
import { forwardsKey } from '../net/rdr-forwards.js';
import { vncWanted } from './bhyve-brand.js';
import { findZone, isValidZoneName } from './zone-config.js';
import * as life from './zoneadm-lifecycle.js';
import { listZones } from './zoneadm-list.js';
import { missingZonepathWarning } from './zonepath-check.js';

/**
 * `zoneadm [-z zone] [-u uuid] [-R root] subcommand [args]`. Messages follow zoneadm.c:
 * `zoneadm: zone 'NAME': <msg>` on stderr; exit 0 ok, 1 error, 2 usage.
 */
const USAGE = `usage:\tzoneadm [-z <zone>] [-u <uuid-match>] list [<list-options>]
\tzoneadm [-z <zone>] [-u <uuid-match>] <subcommand> [subcommand-options]

Subcommands:

help
boot [-- boot_arguments]
halt
ready
shutdown [-r [-- boot_arguments]]
reboot [-- boot_arguments]
list [-cinv] [-p]
verify
install [-x nodataset] [brand-specific args]
uninstall [-F] [-h] [brand-specific args]
clone [-m method] [-s <ZFS snapshot>] [brand-specific args] zonename
mark incomplete
`;

function usage(io: CommandIo, message?: string): number {
  if (message) io.err(`zoneadm: ${message}\n`);
  io.err(USAGE);
  return 2;
}

export const zoneadm: CommandHandler = async (io, args) => {
  let opts: ReturnType<typeof getopt>;
  try {
    opts = getopt(args, 'z:u:R:');
  } catch (error) {
    if (error instanceof GetoptError) return usage(io, error.message);
    throw error;
  }
  const zoneName = lastValue(opts, 'z');
  const [sub, ...rest] = opts.operands;
  if (sub === undefined) return usage(io);
  if (sub === 'help') {
    io.out(USAGE);
    return 0;
  }
  if (sub === 'list') return list(io, zoneName, rest);
  const known = [
    'boot',
    'halt',
    'ready',
    'shutdown',
    'reboot',
    'verify',
    'install',
    'uninstall',
    'clone',
    'mark',
  ];
  if (!known.includes(sub)) return usage(io, `unknown subcommand ${sub}`);
  if (zoneName === undefined) {
    io.err('zoneadm: no zone specified\n');
    return 1;
  }
  if (zoneName === 'global') {
    io.err(`zoneadm: zone 'global': ${sub} operation is invalid for the global zone.\n`);
    return 1;
  }
  const prefix = `zoneadm: zone '${zoneName}': `;
  let subOpts: ReturnType<typeof getopt>;
  try {
    subOpts = getopt(
      rest,
      sub === 'install'
        ? 'x:'
        : sub === 'uninstall'
          ? 'Fh'
          : sub === 'shutdown'
            ? 'r'
            : sub === 'clone'
              ? 'm:s:'
              : '',
    );
  } catch (error) {
    if (error instanceof GetoptError) return usage(io, error.message);
    throw error;
  }
  let startDaemon = false;
  let forwardsChanged = false;
  const changeZone = (state: HostState): number => {
    const zone = findZone(state, zoneName);
    if (!zone || !isValidZoneName(zoneName)) {
      io.err(`zoneadm: ${zoneName}: No such zone configured\n`);
      return 1;
    }
    const ctx: life.Ctx = { state, root: io.root, hostRoot: io.hostRoot, out: io.out };
    let outcome: life.Outcome;
    switch (sub) {
      case 'install':
        outcome = life.install(ctx, zone, lastValue(subOpts, 'x') === 'nodataset');
        break;
      case 'uninstall':
        if (!subOpts.flags.has('F') && !io.stdinIsTty) {
          outcome = { error: 'Input not from terminal and -F not specified: uninstall not done.' };
        } else outcome = life.uninstall(ctx, zone);
        break;
      case 'boot':
        outcome = life.boot(ctx, zone);
        break;
      case 'ready':
        outcome = life.ready(ctx, zone);
        break;
      case 'halt':
        outcome = life.halt(ctx, zone);
        break;
      case 'shutdown':
        outcome = life.shutdown(ctx, zone, subOpts.flags.has('r'));
        break;
      case 'reboot':
        outcome = life.reboot(ctx, zone);
        break;
      case 'mark':
        if (subOpts.operands[0] !== 'incomplete') return usage(io);
        outcome = life.markIncomplete(zone);
        break;
      case 'clone': {
        const srcName = subOpts.operands[0];
        if (srcName === undefined) return usage(io);
        const source = findZone(state, srcName);
        if (!source) {
          io.err(`zoneadm: ${srcName}: No such zone configured\n`);
          return 1;
        }
        outcome = life.cloneZone(ctx, zone, source, lastValue(subOpts, 's'));
        break;
      }
      default:
        outcome = verify(ctx, zone);
        break;
    }
    if ('stderr' in outcome) {
      io.err(outcome.stderr);
      return outcome.exitCode;
    }
    if ('error' in outcome) {
      io.err(`${prefix}${outcome.error}\n`);
      return outcome.exitCode ?? 1;
    }
    if (outcome.message) io.err(`${prefix}${outcome.message}\n`);
    startDaemon = zone.state === 'running' && vncWanted(zone);
    return outcome.exitCode ?? 0;
  };
  const code = await updateState(io.root, (state) => {
    const forwardsBefore = forwardsKey(state);
    const result = changeZone(state);
    forwardsChanged = forwardsKey(state) !== forwardsBefore;
    return result;
  });
  if (startDaemon) {
    const { ensureZoneDaemon } = await import('../console/daemon-control.js');
    await ensureZoneDaemon(io.root, zoneName);
  }
  if (forwardsChanged) {
    const { syncZoneDaemon } = await import('../console/daemon-control.js');
    await syncZoneDaemon(io.root);
  }
  return code;
};

/** `zoneadm verify`: sanity_check() refuses an incomplete zone, then verify_details(). */
function verify(ctx: life.Ctx, zone: ZoneRecord): life.Outcome {
  if (zone.state === 'incomplete') return { error: 'zone is incomplete; uninstall required.' };
  const zp = zone.config.props.zonepath;
  if (!zp) return { error: 'zonepath not specified' };
  const warning =
    zone.state === 'configured' && !existsSync(join(ctx.hostRoot, zp))
      ? missingZonepathWarning(zp)
      : '';
  const bad = life.verified(ctx, zone, 'verify');
  if (bad && 'stderr' in bad) return { stderr: warning + bad.stderr, exitCode: 1 };
  return warning ? { stderr: warning, exitCode: 0 } : { ok: true };
}

function list(io: CommandIo, zoneName: string | undefined, rest: string[]): number {
  let opts: ReturnType<typeof getopt>;
  try {
    opts = getopt(rest, 'cinpv');
  } catch (error) {
    if (error instanceof GetoptError) return usage(io, error.message);
    throw error;
  }
  if (zoneName !== undefined && (opts.flags.has('c') || opts.flags.has('i')))
    return usage(io, '-c and -i cannot be used with -z.');
  if (opts.flags.has('p') && opts.flags.has('v')) {
    // list_func(): zerror(), not usage, and Z_ERR
    const who = zoneName !== undefined ? `zone '${zoneName}': ` : '';
    io.err(`zoneadm: ${who}list -p and -v are mutually exclusive.\n`);
    return 1;
  }
  if (opts.operands.length > 0) return usage(io);
  if (zoneName !== undefined) {
    if (zoneName === 'global') return listZones(io, opts.flags, 'global');
    const zone = findZone(readState(io.root), zoneName);
    if (!zone) {
      io.err(`zoneadm: ${zoneName}: No such zone configured\n`);
      return 1;
    }
    return listZones(io, opts.flags, zone);
  }
  return listZones(io, opts.flags);
}

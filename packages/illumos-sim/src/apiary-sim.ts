/**
 * `apiary-sim`: set up and inspect simulated hosts.
 *
 *   apiary-sim init DIR [--cpus N] [--ram SIZE] [--pool NAME=SIZE[:LAYOUT]]... [--link NAME]...
 *                       [--aggr NAME=PORT,PORT...]... [--hostname H] [--address CIDR]
 *                       [--public-address 127.X.Y.Z]
 *   apiary-sim bin-dir
 *   apiary-sim fault DIR --match GLOB [--count N | --always] [--exit N] [--stderr TEXT]
 *                        [--stdout TEXT] [--hang MS] [--stdin-bytes N] [--after]
 *   apiary-sim fault DIR --clear | --list
 *   apiary-sim log DIR [--json]
 *   apiary-sim show DIR
 *   apiary-sim stop DIR          (stops the host's sim-zoneadmd)
 *   apiary-sim load DIR ZONE [--cpu N] [--mem SIZE] [--net-rx SIZE] [--net-tx SIZE]
 *                            [--disk-read SIZE] [--disk-write SIZE] | --clear
 */
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { stopZoneDaemon } from './console/daemon-control.js';
import { readCommandLog } from './core/command-log.js';
import { addFault, clearFaults, readFaults } from './core/faults.js';
import { binDir } from './host/bin-dir.js';
import { HostExistsError, initHost } from './host/init-host.js';
import { summarizeHost } from './host/show-host.js';

const HELP = `usage:
  apiary-sim init DIR [--cpus N] [--ram SIZE] [--pool NAME=SIZE[:LAYOUT]]... [--link NAME]...
                  [--aggr NAME=PORT,PORT...]... [--hostname H] [--address CIDR]
                  [--public-address 127.X.Y.Z]   (where the VMs' forwards listen)
      LAYOUT: disks (c1t0d0,c1t1d0) or groups (mirror:c1t0d0,c1t1d0, raidz:..., raidz2:...)
  apiary-sim bin-dir
  apiary-sim fault DIR --match GLOB [--count N | --always] [--exit N] [--stderr TEXT] [--stdout TEXT] [--hang MS] [--stdin-bytes N] [--after]
  apiary-sim fault DIR --clear | --list
  apiary-sim log DIR [--json]
  apiary-sim show DIR
  apiary-sim stop DIR
  apiary-sim load DIR ZONE [--cpu N] [--mem SIZE] [--net-rx SIZE] [--net-tx SIZE] [--disk-read SIZE] [--disk-write SIZE]
  apiary-sim load DIR ZONE --clear

The fault --match GLOB is matched (fnmatch, '*' also crosses spaces) against the program's
basename and its arguments joined with single spaces, a leading pfexec removed:
  --match 'zoneadm * boot'   --match 'zfs create -V *'   --match 'dladm create-vnic *vm3*'
`;

class UsageError extends Error {}

function int(name: string, v: string | undefined): number | undefined {
  if (v === undefined) return undefined;
  if (!/^\d+$/.test(v))
    throw new UsageError(`--${name} must be a non-negative integer, got '${v}'`);
  return Number(v);
}

async function main(argv: string[]): Promise<number> {
  const [cmd, ...rest] = argv;
  if (cmd === undefined || cmd === '--help' || cmd === '-h' || cmd === 'help') {
    process.stdout.write(HELP);
    return cmd === undefined ? 2 : 0;
  }
  if (cmd === 'bin-dir') {
    process.stdout.write(`${binDir()}\n`);
    return 0;
  }
  if (cmd === 'load') return load(rest);
  const { values, positionals } = parseArgs({
    args: rest,
    allowPositionals: true,
    strict: true,
    options: {
      cpus: { type: 'string' },
      ram: { type: 'string' },
      pool: { type: 'string', multiple: true },
      link: { type: 'string', multiple: true },
      aggr: { type: 'string', multiple: true },
      hostname: { type: 'string' },
      address: { type: 'string' },
      'public-address': { type: 'string' },
      match: { type: 'string' },
      count: { type: 'string' },
      always: { type: 'boolean' },
      exit: { type: 'string' },
      stderr: { type: 'string' },
      stdout: { type: 'string' },
      hang: { type: 'string' },
      'stdin-bytes': { type: 'string' },
      after: { type: 'boolean' },
      clear: { type: 'boolean' },
      list: { type: 'boolean' },
      json: { type: 'boolean' },
    },
  });
  const dirArg = positionals[0];
  if (dirArg === undefined || positionals.length > 1)
    throw new UsageError(`${cmd}: exactly one DIR is required`);
  const dir = resolve(dirArg);
  switch (cmd) {
    case 'init': {
      const pools = values.pool?.map((p) => {
        const m = /^([^=]+)=([^:]+)(?::(.+))?$/.exec(p);
        if (!m) throw new UsageError(`--pool must be NAME=SIZE[:LAYOUT], got '${p}'`);
        return { name: m[1]!, size: m[2]!, ...(m[3] !== undefined ? { layout: m[3] } : {}) };
      });
      const aggrs = values.aggr?.map((a) => {
        const m = /^([^=]+)=(.+)$/.exec(a);
        if (!m) throw new UsageError(`--aggr must be NAME=PORT,PORT..., got '${a}'`);
        return { name: m[1]!, ports: m[2]!.split(',') };
      });
      try {
        initHost(dir, {
          ...(values.cpus !== undefined ? { cpus: int('cpus', values.cpus)! } : {}),
          ...(values.ram !== undefined ? { ram: values.ram } : {}),
          ...(pools ? { pools } : {}),
          ...(values.link ? { links: values.link } : {}),
          ...(aggrs ? { aggrs } : {}),
          ...(values.hostname !== undefined ? { hostname: values.hostname } : {}),
          ...(values.address !== undefined ? { address: values.address } : {}),
          ...(values['public-address'] !== undefined
            ? { publicAddress: values['public-address'] }
            : {}),
        });
      } catch (error) {
        if (error instanceof HostExistsError) {
          process.stderr.write(`apiary-sim: ${error.message}\n`);
          return 1;
        }
        throw new UsageError((error as Error).message);
      }
      process.stdout.write(`initialized simulated host in ${dir}\n`);
      return 0;
    }
    case 'fault': {
      if (values.clear) {
        await clearFaults(dir);
        return 0;
      }
      if (values.list) {
        process.stdout.write(`${JSON.stringify(readFaults(dir), null, 2)}\n`);
        return 0;
      }
      if (values.match === undefined)
        throw new UsageError('fault: --match GLOB is required (or --clear / --list)');
      const exitCode = int('exit', values.exit);
      const hang = int('hang', values.hang);
      const stdinBytes = int('stdin-bytes', values['stdin-bytes']);
      const fault = await addFault(dir, {
        match: values.match,
        count: values.always ? null : (int('count', values.count) ?? 1),
        ...(exitCode !== undefined ? { exit_code: exitCode } : {}),
        ...(values.stderr !== undefined
          ? { stderr: values.stderr.endsWith('\n') ? values.stderr : `${values.stderr}\n` }
          : {}),
        ...(values.stdout !== undefined ? { stdout: values.stdout } : {}),
        ...(hang !== undefined ? { hang_ms: hang } : {}),
        ...(stdinBytes !== undefined ? { stdin_bytes: stdinBytes } : {}),
        ...(values.after ? { when: 'after' as const } : {}),
      });
      process.stdout.write(`${fault.id}\n`);
      return 0;
    }
    case 'log': {
      const entries = readCommandLog(dir);
      if (values.json) process.stdout.write(`${JSON.stringify(entries, null, 1)}\n`);
      else {
        for (const e of entries) {
          process.stdout.write(
            `${e.time}  exit=${e.exit_code}  ${String(e.duration_ms).padStart(5)}ms  ${e.argv.join(' ')}${e.fault ? '  [fault]' : ''}\n`,
          );
        }
      }
      return 0;
    }
    case 'show':
      process.stdout.write(summarizeHost(dir));
      return 0;
    case 'stop':
      process.stdout.write(
        (await stopZoneDaemon(dir)) ? 'stopped sim-zoneadmd\n' : 'no sim-zoneadmd running\n',
      );
      return 0;
    default:
      throw new UsageError(`unknown command '${cmd}'`);
  }
}

/** Rates per second are the zone's simulated activity; see src/sys/load-cli.ts. */
async function load(args: string[]): Promise<number> {
  const { LoadError, LoadUsageError, runLoadCommand } = await import('./sys/load-cli.js');
  try {
    process.stdout.write(await runLoadCommand(args));
    return 0;
  } catch (error) {
    if (error instanceof LoadUsageError) throw new UsageError(error.message);
    if (error instanceof LoadError) {
      process.stderr.write(`apiary-sim: ${error.message}\n`);
      return 1;
    }
    throw error;
  }
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    if (
      error instanceof UsageError ||
      (error as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')
    ) {
      process.stderr.write(`apiary-sim: ${(error as Error).message}\n${HELP}`);
      process.exitCode = 2;
    } else {
      process.stderr.write(`apiary-sim: ${(error as Error).message}\n`);
      process.exitCode = 1;
    }
  },
);

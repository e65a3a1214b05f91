import { readFileSync } from 'node:fs';
import { GetoptError, getopt } from '../core/getopt.js';
import type { CommandHandler } from '../core/io.js';
import { updateState } from '../core/state-store.js';
import { instanceFor } from './ipf-instance.js';
import { loadIpfText } from './rule-loading.js';

/**
 * `ipf [-EDFrv...] [-f file]... [-G] [zone]`: options act in command-line order (`-Fa -f x`
 * replaces). With -G (OmniOS) the zone is the LAST argument and addresses that zone's
 * GZ-controlled instance; -E/-D enable or disable the instance.
 */
const USAGE =
  'usage: ipf [-6AdDEGInoPrRsvVyzZ] [-l block|pass|nomatch] [-T optionlist]\n\t[-F i|o|a|s|S|u] -f filename [-f filename...] [zonename]\n';

export const ipf: CommandHandler = async (io, args) => {
  let opts: ReturnType<typeof getopt>;
  try {
    opts = getopt(args, '6AdDEGInoPrRsvVyzZl:T:F:f:');
  } catch (error) {
    if (!(error instanceof GetoptError)) throw error;
    io.err(USAGE);
    return 1;
  }
  const zoneScoped = opts.flags.has('G') || opts.flags.has('z');
  const zone = zoneScoped ? opts.operands.at(-1) : undefined;
  if (zoneScoped && zone === undefined) {
    io.err(USAGE);
    return 1;
  }
  const inputs = new Map<string, string | undefined>();
  for (const f of opts.values.get('f') ?? []) {
    if (inputs.has(f)) continue;
    if (f === '-') inputs.set(f, (await io.readStdin()).toString('utf8'));
    else {
      try {
        inputs.set(f, readFileSync(f, 'utf8'));
      } catch {
        inputs.set(f, undefined);
      }
    }
  }
  return updateState(io.root, (state) => {
    const inst = instanceFor(state, zone);
    let remove = false;
    for (const [flag, value] of opts.list) {
      switch (flag) {
        case 'E':
          inst.enabled = true;
          break;
        case 'D':
          inst.enabled = false;
          inst.rulesIn = [];
          inst.rulesOut = [];
          if (zone === undefined) inst.nat = [];
          break;
        case 'r':
          remove = true;
          break;
        case 'F': {
          if (!inst.enabled) {
            io.err('ioctl(SIOCIPFFL): I/O error\n');
            return 1;
          }
          if (value === 'a' || value === 'i') inst.rulesIn = [];
          if (value === 'a' || value === 'o') inst.rulesOut = [];
          if (!['a', 'i', 'o', 's', 'S', 'u'].includes(value ?? '')) {
            io.err(USAGE);
            return 1;
          }
          if (opts.flags.has('v')) io.out(`0 state entries removed\n`);
          break;
        }
        case 'f': {
          const text = inputs.get(value!);
          if (text === undefined) {
            io.err(`${value}: open: No such file or directory\n`);
            return 1;
          }
          const result = loadIpfText(inst, text, remove, inst.enabled);
          io.err(result.stderr);
          if (result.exitCode !== 0) return result.exitCode;
          break;
        }
        default:
          break;
      }
    }
    return 0;
  });
};

import { readFileSync } from 'node:fs';
import { GetoptError, getopt } from '../core/getopt.js';
import type { CommandHandler, CommandIo } from '../core/io.js';
import { readState, updateState } from '../core/state-store.js';
import type { HostState } from '../core/state-types.js';
import { instanceFor } from './ipf-instance.js';
import { forwardsKey } from './rdr-forwards.js';
import { loadNatText } from './rule-loading.js';

/**
 * `ipnat [-CdFhlnrRsv] [-f file] [-G zone]`: -F (sessions) runs before -C (rules), both
 * before any -f; `-r` turns -f into removal; `-l` lists. With IP Filter disabled every call
 * fails with `ioctl(SIOCGNATS): I/O error`.
 */
const USAGE = 'usage: ipnat [-CdFhlnrRsv] [-f filename] [-G|-z zonename]\n';

export const ipnat: CommandHandler = async (io, args) => {
  let opts: ReturnType<typeof getopt>;
  try {
    opts = getopt(args, 'CdFhlnrRsvf:G:z:', false);
  } catch (error) {
    if (!(error instanceof GetoptError)) throw error;
    io.err(USAGE);
    return 1;
  }
  const zone = opts.values.get('G')?.at(-1) ?? opts.values.get('z')?.at(-1);
  const files = opts.values.get('f') ?? [];
  const texts: Array<[string, string | undefined]> = [];
  for (const f of files) {
    if (f === '-') texts.push([f, (await io.readStdin()).toString('utf8')]);
    else {
      try {
        texts.push([f, readFileSync(f, 'utf8')]);
      } catch {
        texts.push([f, undefined]);
      }
    }
  }
  const changes = opts.flags.has('C') || opts.flags.has('F') || texts.length > 0;
  if (!changes) {
    // listing only: no lock, no write
    const state = readState(io.root);
    if (!state.ipfilter.global.enabled) {
      io.err('ioctl(SIOCGNATS): I/O error\n');
      return 1;
    }
    if (opts.flags.has('l')) listNat(io, instanceFor(state, zone).nat, opts.flags.has('h'));
    return 0;
  }
  let forwardsChanged = false;
  const code = await updateState(io.root, (state) => {
    const forwardsBefore = forwardsKey(state);
    const result = changeNat(state, io, opts, zone, texts);
    forwardsChanged = forwardsKey(state) !== forwardsBefore;
    return result;
  });
  if (forwardsChanged) {
    const { syncZoneDaemon } = await import('../console/daemon-control.js');
    await syncZoneDaemon(io.root);
  }
  return code;
};

/** -F, -C, then each -f file (added, or removed with -r), then -l; returns the exit status. */
function changeNat(
  state: HostState,
  io: CommandIo,
  opts: ReturnType<typeof getopt>,
  zone: string | undefined,
  texts: Array<[string, string | undefined]>,
): number {
  {
    if (!state.ipfilter.global.enabled) {
      io.err('ioctl(SIOCGNATS): I/O error\n');
      return 1;
    }
    const inst = instanceFor(state, zone);
    const dry = opts.flags.has('n');
    if (opts.flags.has('F')) io.out('0 entries flushed from NAT table\n');
    if (opts.flags.has('C')) {
      const n = inst.nat.length;
      if (!dry) inst.nat = [];
      io.out(`${n} entries flushed from NAT list\n`);
    }
    let code = 0;
    for (const [name, text] of texts) {
      if (text === undefined) {
        io.err(`fopen(${name}) failed: No such file or directory\n`);
        continue;
      }
      const target = dry ? { ...inst, nat: [...inst.nat] } : inst;
      const result = loadNatText(target, text, opts.flags.has('r'));
      io.err(result.stderr);
      if (result.exitCode !== 0) {
        code = result.exitCode;
        break;
      }
    }
    if (opts.flags.has('l')) listNat(io, inst.nat, opts.flags.has('h'));
    return code;
  }
}

function listNat(io: CommandIo, rules: string[], hits: boolean): void {
  io.out(
    `List of active MAP/Redirect filters:\n${rules.map((r) => `${hits ? '0 ' : ''}${r}\n`).join('')}\nList of active sessions:\n`,
  );
}

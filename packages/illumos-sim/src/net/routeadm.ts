import { GetoptError, getopt } from '../core/getopt.js';
import type { CommandHandler } from '../core/io.js';
import { readState, updateState } from '../core/state-store.js';
import type { HostState } from '../core/state-types.js';

/**
 * routeadm: the SMF view of forwarding. `-e/-d ipv4-forwarding` set the persistent (SMF)
 * configuration; `-u` applies it, which runs `ipadm set-prop -p forwarding=...` (the kernel
 * value). Setting forwarding with ipadm alone leaves routeadm's current at `disabled`.
 */
const OPTIONS = ['ipv4-routing', 'ipv6-routing', 'ipv4-forwarding', 'ipv6-forwarding'];
const VARIABLES: Array<[string, string]> = [
  ['ipv4-routing-daemon', '/usr/sbin/in.routed'],
  ['ipv4-routing-daemon-args', ''],
  ['ipv4-routing-stop-cmd', 'kill -TERM `cat /var/tmp/in.routed.pid`'],
  ['ipv6-routing-daemon', '/usr/lib/inet/in.ripngd'],
  ['ipv6-routing-daemon-args', '-s'],
  ['ipv6-routing-stop-cmd', 'kill -TERM `cat /var/tmp/in.ripngd.pid`'],
  ['routing-svcs', 'route:default ripng:default'],
];
const USAGE =
  'usage: routeadm [-p [option]]\n       routeadm [-R <root-dir>] [-e <option> ...] [-d <option> ...] [-r <option> ...]\n       routeadm -u\n';

function optionLine(state: HostState, name: string): string {
  const fwd =
    name === 'ipv4-forwarding'
      ? state.forwarding.ipv4
      : name === 'ipv6-forwarding'
        ? state.forwarding.ipv6
        : undefined;
  const persistent = fwd?.smf ?? 'disabled';
  const current = fwd && fwd.smf === 'enabled' && fwd.current === 'on' ? 'enabled' : 'disabled';
  return `persistent=${persistent} default=disabled current=${current}`;
}

export const routeadm: CommandHandler = async (io, args) => {
  let opts: ReturnType<typeof getopt>;
  try {
    opts = getopt(args, 'pR:e:d:r:s:um:b');
  } catch (error) {
    if (!(error instanceof GetoptError)) throw error;
    io.err(USAGE);
    return 1;
  }
  const changing = ['e', 'd', 'r', 's', 'u', 'm'].some((f) => opts.flags.has(f));
  if (opts.flags.has('p')) {
    if (changing) {
      io.err('routeadm: the -p option cannot be used with any of -demrsu\n');
      return 1;
    }
    const state = readState(io.root);
    const only = opts.operands[0];
    if (only !== undefined) {
      if (OPTIONS.includes(only)) io.out(`${optionLine(state, only)}\n`);
      else {
        const v = VARIABLES.find(([n]) => n === only);
        if (!v) {
          io.err(`routeadm: no such option/variable ${only}\n`);
          return 1;
        }
        io.out(`persistent="" default="${v[1]}" \n`);
      }
      return 0;
    }
    for (const o of OPTIONS) io.out(`${o} ${optionLine(state, o)}\n`);
    for (const [n, d] of VARIABLES) io.out(`${n} persistent="" default="${d}" \n`);
    return 0;
  }
  for (const flag of ['e', 'd', 'r']) {
    for (const v of opts.values.get(flag) ?? []) {
      if (!OPTIONS.includes(v)) {
        io.err(`routeadm: invalid option: ${v}\n${USAGE}`);
        return 1;
      }
    }
  }
  if (!changing) {
    const state = readState(io.root);
    io.out(
      '              Configuration   Current              Current\n                     Option   Configuration        System State\n---------------------------------------------------------------\n',
    );
    const label: Record<string, string> = {
      'ipv4-routing': 'IPv4 routing',
      'ipv6-routing': 'IPv6 routing',
      'ipv4-forwarding': 'IPv4 forwarding',
      'ipv6-forwarding': 'IPv6 forwarding',
    };
    for (const o of OPTIONS) {
      const line = optionLine(state, o);
      const persistent = /persistent=(\w+)/.exec(line)![1]!;
      const current = /current=(\w+)/.exec(line)![1]!;
      io.out(`${label[o]!.padStart(27)}   ${persistent.padEnd(20)} ${current}\n`);
    }
    return 0;
  }
  return updateState(io.root, (state) => {
    const set = (name: string, value: 'enabled' | 'disabled') => {
      if (name === 'ipv4-forwarding') state.forwarding.ipv4.smf = value;
      if (name === 'ipv6-forwarding') state.forwarding.ipv6.smf = value;
    };
    for (const v of opts.values.get('e') ?? []) set(v, 'enabled');
    for (const v of opts.values.get('d') ?? []) set(v, 'disabled');
    for (const v of opts.values.get('r') ?? []) set(v, 'disabled');
    if (opts.flags.has('u')) {
      for (const fwd of [state.forwarding.ipv4, state.forwarding.ipv6]) {
        fwd.current = fwd.smf === 'enabled' ? 'on' : 'off';
        fwd.persistent = fwd.current;
      }
    }
    return 0;
  });
};

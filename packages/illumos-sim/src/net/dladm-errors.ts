import type { GetoptError } from '../core/getopt.js';
import { CommandExit } from '../core/io.js';

/**
 * dladm's ways of failing (usr/src/cmd/dladm/dladm.c): die() prints `dladm: MSG`, die_dlerr()
 * appends `: STATUS` with libdladm's dladm_status2str() text, die_dlerrlist() first prints
 * every collected error as `dladm: warning: ...`; all exit 1. usage() prints the whole command
 * list, die_opterr() the one command's usage after the option complaint.
 */
export type DlStatus =
  | 'ok'
  | 'badarg'
  | 'failed'
  | 'notsup'
  | 'notfound'
  | 'exist'
  | 'denied'
  | 'linkbusy'
  | 'tryagain'
  | 'macinuse'
  | 'macnic'
  | 'macfactorynotsup'
  | 'ioerr'
  | 'vidinval';

/** dladm_status2str (usr/src/lib/libdladm/common/libdladm.c). */
const STATUS_TEXT: Record<DlStatus, string> = {
  ok: 'ok',
  badarg: 'invalid argument',
  failed: 'operation failed',
  notsup: 'operation not supported',
  notfound: 'object not found',
  exist: 'object already exists',
  denied: 'permission denied',
  linkbusy: 'link busy',
  tryagain: 'try again later',
  macinuse: 'MAC address is already in use',
  macnic: 'MAC address reserved for use by underlying data-link',
  macfactorynotsup: 'factory MAC address slots not supported',
  ioerr: 'I/O error',
  vidinval: 'invalid VLAN identifier',
};

export function statusText(status: DlStatus): string {
  return STATUS_TEXT[status];
}

/** dladm_errno2status for the errnos the simulated kernel returns. */
export function errnoStatus(
  errno: 'EINVAL' | 'ENOENT' | 'EEXIST' | 'EBUSY' | 'EAGAIN' | 'EPERM' | 'ENXIO',
): DlStatus {
  switch (errno) {
    case 'EINVAL':
      return 'badarg';
    case 'ENOENT':
      return 'notfound';
    case 'EEXIST':
      return 'exist';
    case 'EBUSY':
      return 'linkbusy';
    case 'EAGAIN':
      return 'tryagain';
    case 'EPERM':
      return 'denied';
    default:
      return 'failed';
  }
}

export function die(msg: string): never {
  throw new CommandExit(1, `dladm: ${msg}\n`);
}

export function dieStatus(status: DlStatus, msg: string): never {
  throw new CommandExit(1, `dladm: ${msg}: ${statusText(status)}\n`);
}

/** die_dlerrlist: the collected errors as warnings, then the failure. */
export function dieStatusList(status: DlStatus, errors: string[], msg: string): never {
  const warnings = errors.map((e) => `dladm: warning: ${e}\n`).join('');
  throw new CommandExit(1, `${warnings}dladm: ${msg}: ${statusText(status)}\n`);
}

export function dieOptDup(option: string): never {
  die(`the option -${option} cannot be specified more than once`);
}

/** The cmds[] usage strings of OmniOS dladm.c, in table order (NULL ones left out). */
export const COMMAND_USAGE: Array<[string, string]> = [
  ['rename-link', '    rename-link      <oldlink> <newlink>'],
  ['show-link', '    show-link        [-pP] [-o <field>,..] [-s [-i <interval>]] [<link>]\n'],
  [
    'create-aggr',
    '    create-aggr      [-t] [-P <policy>] [-L <mode>] [-T <time>] [-u <address>]\n\t\t     -l <link> [-l <link>...] <link>',
  ],
  ['delete-aggr', '    delete-aggr      [-t] <link>'],
  ['add-aggr', '    add-aggr         [-t] -l <link> [-l <link>...] <link>'],
  ['remove-aggr', '    remove-aggr      [-t] -l <link> [-l <link>...] <link>'],
  [
    'modify-aggr',
    '    modify-aggr      [-t] [-P <policy>] [-L <mode>] [-T <time>] [-u <address>]\n\t\t     <link>',
  ],
  ['show-aggr', '    show-aggr        [-pPLx] [-o <field>,..] [-s [-i <interval>]] [<link>]\n'],
  ['scan-wifi', '    scan-wifi        [-p] [-o <field>,...] [<link>]'],
  [
    'connect-wifi',
    '    connect-wifi     [-e <essid>] [-i <bssid>] [-k <key>,...] [-s wep|wpa]\n\t\t     [-a open|shared] [-b bss|ibss] [-c] [-m a|b|g] [-T <time>]\n\t\t     [<link>]',
  ],
  ['disconnect-wifi', '    disconnect-wifi  [-a] [<link>]'],
  ['show-wifi', '    show-wifi        [-p] [-o <field>,...] [<link>]\n'],
  ['set-linkprop', '    set-linkprop     [-t] -p <prop>=<value>[,...] <name>'],
  ['reset-linkprop', '    reset-linkprop   [-t] [-p <prop>,...] <name>'],
  ['show-linkprop', '    show-linkprop    [-cP] [-o <field>,...] [-p <prop>,...] <name>\n'],
  ['show-ether', '    show-ether       [-px][-o <field>,...] <link>\n'],
  ['create-secobj', '    create-secobj    [-t] [-f <file>] -c <class> <secobj>'],
  ['delete-secobj', '    delete-secobj    [-t] <secobj>[,...]'],
  ['show-secobj', '    show-secobj      [-pP] [-o <field>,...] [<secobj>,...]\n'],
  ['create-vlan', '    create-vlan      [-ft] -l <link> -v <vid> [link]'],
  ['delete-vlan', '    delete-vlan      [-t] <link>'],
  ['show-vlan', '    show-vlan        [-pP] [-o <field>,..] [<link>]\n'],
  ['create-iptun', '    create-iptun     [-t] -T <type> [-a {local|remote}=<addr>,...] <link>]'],
  ['delete-iptun', '    delete-iptun     [-t] <link>'],
  ['modify-iptun', '    modify-iptun     [-t] -a {local|remote}=<addr>,... <link>'],
  ['show-iptun', '    show-iptun       [-pP] [-o <field>,..] [<link>]\n'],
  ['delete-phys', '    delete-phys      <link>'],
  ['show-phys', '    show-phys        [-m | -H | -P] [[-p] [-o <field>[,...]] [<link>]\n'],
  [
    'create-vnic',
    '    create-vnic      [-t] -l <link> [-m <value> | auto |\n\t\t     {factory [-n <slot-id>]} | {random [-r <prefix>]} |\n\t\t     {vrrp -V <vrid> -A {inet | inet6}} [-v <vid> [-f]]\n\t\t     [-p <prop>=<value>[,...]] <vnic-link>',
  ],
  ['delete-vnic', '    delete-vnic      [-t] <vnic-link>'],
  ['show-vnic', '    show-vnic        [-pP] [-l <link>] [-s [-i <interval>]] [<link>]\n'],
  [
    'create-part',
    '    create-part      [-t] [-f] -l <link> [-P <pkey>]\n\t\t     [-R <root-dir>] <part-link>',
  ],
  ['delete-part', '    delete-part      [-t] [-R <root-dir>] <part-link>'],
  [
    'show-part',
    '    show-part        [-pP] [-o <field>,...][-l <linkover>]\n\t\t     [<part-link>]',
  ],
  ['show-ib', '    show-ib          [-p] [-o <field>,...] [<link>]\n'],
  ['create-etherstub', '    create-etherstub [-t] <link>'],
  ['delete-etherstub', '    delete-etherstub [-t] <link>'],
  ['show-etherstub', '    show-etherstub   [-t] [<link>]\n'],
  [
    'create-bridge',
    '    create-bridge    [-R <root-dir>] [-P <protect>] [-p <priority>]\n\t\t     [-m <max-age>] [-h <hello-time>] [-d <forward-delay>]\n\t\t     [-f <force-protocol>] [-l <link>]... <bridge>',
  ],
  [
    'modify-bridge',
    '    modify-bridge    [-R <root-dir>] [-P <protect>] [-p <priority>]\n\t\t     [-m <max-age>] [-h <hello-time>] [-d <forward-delay>]\n\t\t     [-f <force-protocol>] <bridge>',
  ],
  ['delete-bridge', '    delete-bridge    [-R <root-dir>] <bridge>'],
  ['add-bridge', '    add-bridge       [-R <root-dir>] -l <link> [-l <link>]... <bridge>'],
  ['remove-bridge', '    remove-bridge    [-R <root-dir>] -l <link> [-l <link>]... <bridge>'],
  [
    'show-bridge',
    '    show-bridge      [-p] [-o <field>,...] [-s [-i <interval>]] [<bridge>]\n    show-bridge      -l [-p] [-o <field>,...] [-s [-i <interval>]] <bridge>\n    show-bridge      -f [-p] [-o <field>,...] [-s [-i <interval>]] <bridge>\n    show-bridge      -t [-p] [-o <field>,...] [-s [-i <interval>]] <bridge>\n',
  ],
  [
    'create-overlay',
    '    create-overlay   [-t] -e <encap> -s <search> -v <vnetid>\n\t\t     [ -p <prop>=<value>[,...]] <overlay>',
  ],
  ['delete-overlay', '    delete-overlay   [-t] <overlay>'],
  ['modify-overlay', '    modify-overlay   -d mac | -f | -s mac=ip:port <overlay>'],
  ['show-overlay', '    show-overlay     [-f | -t] [[-p] -o <field>,...] [<overlay>]\n'],
  [
    'show-usage',
    '    show-usage       [-a] [-d | -F <format>] [-s <DD/MM/YYYY,HH:MM:SS>]\n\t\t     [-e <DD/MM/YYYY,HH:MM:SS>] -f <logfile> [<link>]',
  ],
];

/** usage_text(): the whole list; usage() exits 1 after it. */
export function fullUsage(): string {
  return `usage:  dladm <subcommand> <args> ...\n${COMMAND_USAGE.map(([, u]) => `${u}\n`).join('')}`;
}

export function usage(): never {
  throw new CommandExit(1, fullUsage());
}

export function commandUsage(sub: string): string {
  return COMMAND_USAGE.find(([name]) => name === sub)?.[1] ?? '';
}

/** die_opterr for a getopt failure of subcommand `sub`. */
export function optionError(error: GetoptError, sub: string): CommandExit {
  const what = error.message.startsWith('option requires')
    ? `option '-${error.option}' requires a value`
    : `unrecognized option '-${error.option}'`;
  return new CommandExit(1, `dladm: ${what}\nusage: ${commandUsage(sub)}\n`);
}

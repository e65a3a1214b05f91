import { CommandExit } from '../core/io.js';

/**
 * zpool's usage texts (get_usage() and command_table[] in OmniOS usr/src/cmd/zpool/
 * zpool_main.c). usage(B_FALSE) prints to stderr and exits 2; for list/get/set the real command
 * also appends the pool property table, which the simulator does not reproduce.
 */
const USAGE: Array<[string, string] | null> = [
  [
    'create',
    '\tcreate [-fnd] [-B] [-o property=value] ... \n\t    [-O file-system-property=value] ...\n\t    [-m mountpoint] [-R root] [-t tempname] <pool> <vdev> ...\n',
  ],
  ['destroy', '\tdestroy [-f] <pool>\n'],
  null,
  ['add', '\tadd [-fgLnP] [-o property=value] <pool> <vdev> ...\n'],
  ['remove', '\tremove [-nps] <pool> <device> ...\n'],
  null,
  ['labelclear', '\tlabelclear [-f] <vdev>\n'],
  null,
  ['checkpoint', '\tcheckpoint [--discard] <pool> ...\n'],
  null,
  ['list', '\tlist [-gHLpPv] [-o property[,...]] [-T d|u] [pool] ... [interval [count]]\n'],
  [
    'iostat',
    '\tiostat [[-lq]|[-rw]] [-T d | u] [-ghHLpPvy]\n\t    [[pool] ...]|[pool vdev ...]|[vdev ...]] [[-n] interval [count]]\n',
  ],
  ['status', '\tstatus [-igLpPsvxD] [-T d|u] [pool] ... [interval [count]]\n'],
  null,
  ['online', '\tonline [-e] <pool> <device> ...\n'],
  ['offline', '\toffline [-t] <pool> <device> ...\n'],
  ['clear', '\tclear [-nF] <pool> [device]\n'],
  ['reopen', '\treopen <pool>\n'],
  null,
  ['attach', '\tattach [-f] [-o property=value] <pool> <device> <new-device>\n'],
  ['detach', '\tdetach <pool> <device>\n'],
  ['replace', '\treplace [-f] <pool> <device> [new-device]\n'],
  [
    'split',
    '\tsplit [-gLlnP] [-R altroot] [-o mntopts]\n\t    [-o property=value] <pool> <newpool> [<device> ...]\n',
  ],
  null,
  ['initialize', '\tinitialize [-c | -s] <pool> [<device> ...]\n'],
  ['resilver', '\tresilver <pool> ...\n'],
  ['scrub', '\tscrub [-s | -p] <pool> ...\n'],
  ['trim', '\ttrim [-d] [-r <rate>] [-c | -s] <pool> [<device> ...]\n'],
  null,
  [
    'import',
    '\timport [-d dir] [-D]\n\timport [-d dir | -c cachefile] [-F [-n]] [-l] <pool | id>\n\timport [-o mntopts] [-o property=value] ... \n\t    [-d dir | -c cachefile] [-D] [-l] [-f] [-m] [-N] [-R root] [-F [-n]] -a\n\timport [-o mntopts] [-o property=value] ... \n\t    [-d dir | -c cachefile] [-D] [-l] [-f] [-m] [-N] [-R root] [-F [-n]] [-t]\n\t    [--rewind-to-checkpoint] <pool | id> [newpool]\n',
  ],
  ['export', '\texport [-f] <pool> ...\n'],
  ['upgrade', '\tupgrade\n\tupgrade -v\n\tupgrade [-V version] <-a | pool ...>\n'],
  ['reguid', '\treguid <pool>\n'],
  null,
  ['history', '\thistory [-il] [<pool>] ...\n'],
  ['get', '\tget [-Hp] [-o "all" | field[,...]] <"all" | property[,...]> <pool> ...\n'],
  ['set', '\tset <property=value> <pool> \n'],
  ['sync', '\tsync [pool] ...\n'],
];

export function mainUsage(): string {
  return `usage: zpool command args ...\nwhere 'command' is one of the following:\n\n${USAGE.map((u) => (u ? u[1] : '\n')).join('')}`;
}

export function commandUsage(command: string): string {
  return `usage:\n${USAGE.find((u) => u?.[0] === command)?.[1] ?? ''}`;
}

/** `invalid option 'x'` (or another complaint) followed by the command's usage, exit 2. */
export function usageError(command: string, complaint: string): never {
  throw new CommandExit(2, `${complaint}${commandUsage(command)}`);
}

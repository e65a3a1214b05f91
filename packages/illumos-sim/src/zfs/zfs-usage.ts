import { CommandExit } from '../core/io.js';

/** zfs's per-subcommand usage text, printed (exit 2) after argument errors. */
const USAGE: Record<string, string> = {
  create:
    '\tcreate [-p] [-o property=value] ... <filesystem>\n\tcreate [-ps] [-b blocksize] [-o property=value] ... -V <size> <volume>\n',
  destroy:
    '\tdestroy [-fnpRrv] <filesystem|volume>\n\tdestroy [-dnpRrv] <filesystem|volume>@<snap>[%<snap>][,...]\n\tdestroy <filesystem|volume>#<bookmark>\n',
  snapshot: '\tsnapshot [-r] [-o property=value] ... <filesystem|volume>@<snap> ...\n',
  rollback: '\trollback [-rRf] <snapshot>\n',
  clone: '\tclone [-p] [-o property=value] ... <snapshot> <filesystem|volume>\n',
  promote: '\tpromote <clone-filesystem>\n',
  rename:
    '\trename [-f] <filesystem|volume|snapshot> <filesystem|volume|snapshot>\n\trename [-f] -p <filesystem|volume> <filesystem|volume>\n\trename -r <snapshot> <snapshot>\n',
  list: '\tlist [-Hp] [-r|-d max] [-o property[,...]] [-s property]...\n\t    [-S property]... [-t type[,...]] [filesystem|volume|snapshot] ...\n',
  get: '\tget [-rHp] [-d max] [-o "all" | field[,...]]\n\t    [-t type[,...]] [-s source[,...]]\n\t    <"all" | property[,...]> [filesystem|volume|snapshot|bookmark] ...\n',
  set: '\tset <property=value> ... <filesystem|volume|snapshot> ...\n',
  inherit: '\tinherit [-rS] <property> <filesystem|volume|snapshot> ...\n',
  send: '\tsend [-DnPpRvLecwhb] [-[iI] snapshot] <snapshot>\n\tsend [-nvPLecw] [-i snapshot|bookmark] <filesystem|volume|snapshot>\n\tsend [-nvPe] -t <receive_resume_token>\n',
  receive:
    '\treceive [-vnsFhu] [-o <property>=<value>] ... [-x <property>] ...\n\t    <filesystem|volume|snapshot>\n\treceive [-vnsFhu] [-o <property>=<value>] ... [-x <property>] ... \n\t    [-d | -e] <filesystem>\n\treceive -A <filesystem|volume>\n',
};

/** usage(B_FALSE) inside a subcommand: its lines and the two pointers, on stderr. */
export function zfsUsageText(sub: string): string {
  const lines = USAGE[sub] ?? Object.values(USAGE).join('');
  return `usage:\n${lines}\nFor the property list, run: zfs set|get\n\nFor the delegated permission list, run: zfs allow|unallow\n`;
}

export function zfsUsage(sub: string, message?: string): never {
  throw new CommandExit(2, `${message ? `${message}\n` : ''}${zfsUsageText(sub)}`);
}

export function zfsGeneralUsage(): never {
  const text = `usage: zfs command args ...\nwhere 'command' is one of the following:\n\n${Object.values(USAGE).join('')}\nEach dataset is of the form: pool/[dataset/]*dataset[@name]\n\nFor the property list, run: zfs set|get\n\nFor the delegated permission list, run: zfs allow|unallow\n`;
  throw new CommandExit(2, text);
}

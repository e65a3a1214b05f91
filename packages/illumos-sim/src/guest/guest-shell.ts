import type { GuestOs } from './guest-os.js';

/**
 * The guest's minimal shell: `hostname`, `uname [-asnrvm]`, `cat FILE` (of /etc/os-release
 * and /etc/hostname), `exit [N]`, commands separated by `;`. Anything else is not found, with
 * the POSIX shell's exit status 127. Pure: the SSH session feeds it lines and writes what it
 * returns.
 */
export interface ShellContext {
  hostname: string;
  os: GuestOs;
}

export interface ShellResult {
  stdout: string;
  stderr: string;
  status: number;
  /** Set by `exit`: the session ends with this status. */
  exit?: number;
}

export function runShellLine(line: string, ctx: ShellContext, lastStatus = 0): ShellResult {
  const result: ShellResult = { stdout: '', stderr: '', status: lastStatus };
  for (const command of line.split(';')) {
    const argv = command.trim().split(/\s+/).filter(Boolean);
    if (argv.length === 0) continue;
    if (argv[0] === 'exit') {
      const code = argv[1] === undefined ? result.status : Number(argv[1]);
      result.exit = Number.isInteger(code) ? code & 255 : 2;
      return result;
    }
    const one = runCommand(argv, ctx);
    result.stdout += one.stdout;
    result.stderr += one.stderr;
    result.status = one.status;
  }
  return result;
}

function runCommand(argv: string[], ctx: ShellContext): ShellResult {
  const [name, ...args] = argv as [string, ...string[]];
  switch (name) {
    case 'hostname':
      return { stdout: `${ctx.hostname}\n`, stderr: '', status: 0 };
    case 'uname':
      return uname(args, ctx);
    case 'cat':
      return cat(args, ctx);
    default:
      return { stdout: '', stderr: `sh: ${name}: not found\n`, status: 127 };
  }
}

function uname(args: string[], ctx: ShellContext): ShellResult {
  const letters = args.map((a) => (/^-[a-z]+$/.test(a) ? a.slice(1) : undefined));
  const bad = args.find((_a, i) => letters[i] === undefined);
  if (bad !== undefined)
    return { stdout: '', stderr: `uname: extra operand '${bad}'\n`, status: 1 };
  const wanted = letters.join('');
  const unknown = [...wanted].find((l) => !'asnrvm'.includes(l));
  if (unknown) return { stdout: '', stderr: `uname: invalid option -- '${unknown}'\n`, status: 1 };
  if (wanted.includes('a'))
    return { stdout: `${ctx.os.unameAll(ctx.hostname)}\n`, stderr: '', status: 0 };
  const fields: Array<[string, string]> = [
    ['s', ctx.os.sysname],
    ['n', ctx.hostname],
    ['r', ctx.os.release],
    ['v', ctx.os.version],
    ['m', ctx.os.machine],
  ];
  const chosen = fields.filter(([l]) => wanted.includes(l)).map(([, v]) => v);
  return {
    stdout: `${(chosen.length > 0 ? chosen : [ctx.os.sysname]).join(' ')}\n`,
    stderr: '',
    status: 0,
  };
}

function cat(files: string[], ctx: ShellContext): ShellResult {
  const contents: Record<string, string> = {
    '/etc/os-release': `${ctx.os.osRelease}\n`,
    '/etc/hostname': `${ctx.hostname}\n`,
  };
  const result: ShellResult = { stdout: '', stderr: '', status: 0 };
  for (const file of files) {
    const text = contents[file];
    if (text === undefined) {
      result.stderr += `cat: ${file}: No such file or directory\n`;
      result.status = 1;
    } else result.stdout += text;
  }
  return result;
}

import type { GuestOs } from './guest-os.js';

/**
 * The guest's minimal shell: `hostname [NAME]`, `uname [-asnrvm]`, `cat FILE` (of
 * /etc/os-release and /etc/hostname), `echo [ARG...]`, `exit [N]`, commands separated by `;`,
 * words quoted with '...' or "..." as sh(1) does (no expansions). Anything else is not found,
 * with the POSIX shell's exit status 127. Pure: the SSH session and the console feed it lines
 * and write what it returns.
 */
export interface ShellContext {
  hostname: string;
  os: GuestOs;
  /** Sets the node name (`hostname NAME`); absent, the shell may not (not the superuser). */
  setHostname?: (name: string) => void;
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
  const commands = splitCommands(line);
  if (commands === undefined) {
    return { stdout: '', stderr: 'sh: syntax error: unterminated quoted string\n', status: 2 };
  }
  for (const argv of commands) {
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
      return hostname(args, ctx);
    case 'echo':
      return { stdout: `${args.join(' ')}\n`, stderr: '', status: 0 };
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

/**
 * `hostname NAME` sets the node name (the shell's context keeps it for later commands). Only
 * the superuser may: illumos's hostname(1) (usr/src/cmd/hostname/hostname.c) reports
 * sethostname(2)'s EPERM as `hostname: error in setting name: Not owner`; BusyBox's (Alpine) says
 * `hostname: sethostname: Operation not permitted` (perror of sethostname(2)'s EPERM).
 */
function hostname(args: string[], ctx: ShellContext): ShellResult {
  const name = args[0];
  if (name === undefined) return { stdout: `${ctx.hostname}\n`, stderr: '', status: 0 };
  if (!ctx.setHostname) {
    const stderr =
      ctx.os.sysname === 'SunOS'
        ? 'hostname: error in setting name: Not owner\n'
        : 'hostname: sethostname: Operation not permitted\n';
    return { stdout: '', stderr, status: 1 };
  }
  ctx.setHostname(name);
  ctx.hostname = name;
  return { stdout: '', stderr: '', status: 0 };
}

/** A line as sh(1) splits it: `;` ends a command, quotes join words. Undefined: a quote left open. */
function splitCommands(line: string): string[][] | undefined {
  const commands: string[][] = [];
  let words: string[] = [];
  let word: string | undefined;
  let quote: string | undefined;
  for (const ch of line) {
    if (quote) {
      if (ch === quote) quote = undefined;
      else word = (word ?? '') + ch;
    } else if (ch === "'" || ch === '"') {
      quote = ch;
      word = word ?? '';
    } else if (ch === ';' || /\s/.test(ch)) {
      if (word !== undefined) words.push(word);
      word = undefined;
      if (ch === ';') {
        commands.push(words);
        words = [];
      }
    } else word = (word ?? '') + ch;
  }
  if (quote) return undefined;
  if (word !== undefined) words.push(word);
  commands.push(words);
  return commands;
}

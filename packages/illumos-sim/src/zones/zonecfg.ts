import { readFileSync } from 'node:fs';
import { GetoptError, getopt, lastValue } from '../core/getopt.js';
import type { CommandHandler, CommandIo } from '../core/io.js';
import { updateState } from '../core/state-store.js';
import { isValidZoneName } from './zone-config.js';
import { commitConfig, runCommand } from './zonecfg-commands.js';
import { lexZonecfg } from './zonecfg-lexer.js';
import { ZonecfgSession, ZoneExit } from './zonecfg-session.js';

/**
 * `zonecfg -z ZONE [-f FILE | command...]`: commands from a file (`-f -` is stdin), from the
 * argument list (joined with spaces and lexed again, `;` separating commands), or from stdin
 * when no command is given. The configuration commits at the end if anything changed.
 */
const USAGE =
  'usage:\tzonecfg help\n\tzonecfg -z <zone>\t\t\t(interactive)\n\tzonecfg -z <zone> <command>\n\tzonecfg -z <zone> -f <command-file>\n';
const SYNTAX =
  "\n<zone> := [A-Za-z0-9][A-Za-z0-9_.-]*\n\t(except the reserved words 'global' and anything starting with 'SUNW')\n\tName must be less than 64 characters.\n";

export const zonecfg: CommandHandler = async (io, args) => {
  let opts: ReturnType<typeof getopt>;
  try {
    opts = getopt(args, 'R:z:f:');
  } catch (error) {
    if (!(error instanceof GetoptError)) throw error;
    io.err(USAGE);
    return 2;
  }
  const zone = lastValue(opts, 'z');
  if (zone === undefined) {
    if (opts.operands[0] === 'help') {
      io.out(USAGE);
      return 0;
    }
    io.err(USAGE);
    return 2;
  }
  if (!isValidZoneName(zone)) {
    io.err(`${zone}: Bogus zone name\n${SYNTAX}`);
    return 2;
  }
  const file = lastValue(opts, 'f');
  let input: string;
  let fileName: string | undefined;
  if (file !== undefined) {
    if (opts.operands.length > 0) {
      io.err(USAGE);
      return 2;
    }
    fileName = file;
    if (file === '-') input = (await io.readStdin()).toString('utf8');
    else {
      try {
        input = readFileSync(file, 'utf8');
      } catch (error) {
        const code = (error as NodeJS.ErrnoException).code;
        io.err(
          `could not open file ${file}: ${code === 'ENOENT' ? 'No such file or directory' : code === 'EACCES' ? 'Permission denied' : (error as Error).message}\n`,
        );
        return 1;
      }
    }
  } else if (opts.operands.length > 0) {
    input = opts.operands.join(' ');
  } else {
    if (io.stdinIsTty) {
      io.err('zonecfg: interactive mode is not simulated; pass commands or -f FILE\n');
      return 1;
    }
    input = (await io.readStdin()).toString('utf8');
  }
  return runZonecfg(io, zone, input, fileName);
};

async function runZonecfg(
  io: CommandIo,
  zone: string,
  input: string,
  fileName: string | undefined,
): Promise<number> {
  const lexed = lexZonecfg(input);
  return updateState(io.root, (state) => {
    const session = new ZonecfgSession(zone, state, fileName);
    let code: number;
    try {
      if ('error' in lexed) {
        session.line = lexed.line;
        session.error(`syntax error at end of line`);
      } else {
        for (const cmd of lexed.commands) {
          runCommand(session, cmd);
          if (session.timeToExit) break;
        }
      }
      code = finish(session);
    } catch (error) {
      if (!(error instanceof ZoneExit)) throw error;
      code = error.code;
      // exit(Z_ERR) in zonecfg leaves the saved configuration as it was; anything deleted
      // before the exit stays deleted, which the state already reflects.
    }
    io.out(session.stdout);
    io.err(session.stderr);
    return code;
  });
}

/** cleanup(): refuse an unfinished resource, commit what changed, report. */
function finish(session: ZonecfgSession): number {
  if (session.scope && !session.timeToExit) {
    session.zerr('Resource incomplete.');
    return 1;
  }
  if (session.needToCommit && session.handle) {
    commitConfig(session);
    if (session.needToCommit) {
      session.zerr('Configuration not saved.');
      return 1;
    }
  }
  return session.needToCommit || session.sawError ? 1 : 0;
}

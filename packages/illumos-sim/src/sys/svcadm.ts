import { GetoptError, getopt } from '../core/getopt.js';
import type { CommandHandler } from '../core/io.js';
import { updateState } from '../core/state-store.js';
import { matchServices } from './services.js';

/** `svcadm enable|disable|refresh|restart [-rst] FMRI...` for the modelled services. */
const USAGE =
  'Usage: svcadm [-S <state>] [-v] [cmd [args ... ]]\n\n\tsvcadm enable [-rst] <service> ...\t- enable and online service(s)\n\tsvcadm disable [-st] <service> ...\t- disable and offline service(s)\n\tsvcadm restart <service> ...\t\t- restart specified service(s)\n\tsvcadm refresh <service> ...\t\t- re-read service configuration\n';

export const svcadm: CommandHandler = async (io, args) => {
  const [sub, ...rest] = args;
  if (!sub || !['enable', 'disable', 'refresh', 'restart'].includes(sub)) {
    io.err(USAGE);
    return 2;
  }
  let opts: ReturnType<typeof getopt>;
  try {
    opts = getopt(rest, sub === 'enable' ? 'rst' : sub === 'disable' ? 'st' : '');
  } catch (error) {
    if (!(error instanceof GetoptError)) throw error;
    io.err(USAGE);
    return 2;
  }
  if (opts.operands.length === 0) {
    io.err(USAGE);
    return 2;
  }
  return updateState(io.root, (state) => {
    let status = 0;
    for (const pattern of opts.operands) {
      const found = matchServices(pattern);
      if (found.length === 0) {
        io.err(`svcadm: Pattern '${pattern}' doesn't match any instances\n`);
        status = 1;
        continue;
      }
      for (const svc of found) {
        if (sub === 'enable') svc.enable?.(state, io.hostRoot);
        else if (sub === 'disable') svc.disable?.(state);
        else if (svc.state(state) !== 'online') continue;
        else if (sub === 'restart' && svc.restart) svc.restart(state, io.hostRoot);
        else svc.refresh?.(state, io.hostRoot);
      }
    }
    return status;
  });
};

import type { CommandHandler } from '../core/io.js';
import { readState } from '../core/state-store.js';

/** `pagesize [-a]`. */
export const pagesize: CommandHandler = (io, args) => {
  const state = readState(io.root);
  io.out(args.includes('-a') ? `${state.pagesize}\n2097152\n1073741824\n` : `${state.pagesize}\n`);
  return 0;
};

import type { CommandHandler } from '../core/io.js';
import { readState } from '../core/state-store.js';

/** `hostname`: the simulated host's node name (read-only here). */
export const hostname: CommandHandler = (io) => {
  io.out(`${readState(io.root).hostname}\n`);
  return 0;
};

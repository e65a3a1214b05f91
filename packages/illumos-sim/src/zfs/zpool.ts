import type { CommandHandler } from '../core/io.js';
import { zpoolList } from '../zpool/zpool-list.js';
import { zpoolStatus } from '../zpool/zpool-status.js';
import { mainUsage } from '../zpool/zpool-usage.js';

/** zpool: `list` and `status` (src/zpool/). Other subcommands are not simulated. */
export const zpool: CommandHandler = (io, args) => {
  const [sub, ...rest] = args;
  if (sub === 'list') return zpoolList(io, rest);
  if (sub === 'status') return zpoolStatus(io, rest);
  io.err(sub === undefined ? 'missing command\n' : `unrecognized command '${sub}'\n`);
  io.err(mainUsage());
  return 2;
};

import type { CommandHandler } from '../core/io.js';
import { zfsClone, zfsCreate } from './zfs-create.js';
import { zfsDestroy } from './zfs-destroy.js';
import { zfsGet, zfsList } from './zfs-list.js';
import { zfsPromote } from './zfs-promote.js';
import { zfsReceive } from './zfs-receive.js';
import { zfsRollback } from './zfs-rollback.js';
import { zfsSend } from './zfs-send.js';
import { zfsInherit, zfsRename, zfsSet } from './zfs-set.js';
import { zfsSnapshot } from './zfs-snapshot.js';
import { zfsGeneralUsage } from './zfs-usage.js';

/** `zfs SUBCOMMAND ...`: option errors print getopt's message and the subcommand usage. */
const SUBCOMMANDS: Record<string, CommandHandler> = {
  create: zfsCreate,
  destroy: zfsDestroy,
  snapshot: zfsSnapshot,
  snap: zfsSnapshot,
  rollback: zfsRollback,
  clone: zfsClone,
  promote: zfsPromote,
  list: zfsList,
  get: zfsGet,
  set: zfsSet,
  inherit: zfsInherit,
  rename: zfsRename,
  send: zfsSend,
  receive: zfsReceive,
  recv: zfsReceive,
};

export const zfs: CommandHandler = async (io, args) => {
  const [sub, ...rest] = args;
  if (sub === undefined) {
    io.err('missing command\n');
    zfsGeneralUsage();
  }
  const handler = SUBCOMMANDS[sub];
  if (!handler) {
    io.err(`unrecognized command '${sub}'\n`);
    zfsGeneralUsage();
  }
  const { GetoptError } = await import('../core/getopt.js');
  try {
    return await handler(io, rest);
  } catch (error) {
    if (error instanceof GetoptError) {
      const { zfsUsage } = await import('./zfs-usage.js');
      const canonical = sub === 'snap' ? 'snapshot' : sub === 'recv' ? 'receive' : sub;
      const msg = error.message.startsWith('option requires')
        ? `missing argument for '-${error.option}' option`
        : `invalid option '${error.option}'`;
      zfsUsage(canonical, msg);
    }
    throw error;
  }
};

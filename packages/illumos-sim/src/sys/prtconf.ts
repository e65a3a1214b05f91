import type { CommandHandler } from '../core/io.js';
import { readState } from '../core/state-store.js';

/** `prtconf [-m]`: memory in megabytes, rounded up from physmem pages. */
export const prtconf: CommandHandler = (io, args) => {
  const state = readState(io.root);
  const mb = Math.ceil((state.physmemPages * state.pagesize) / 2 ** 20);
  if (args.includes('-m')) {
    io.out(`${mb}\n`);
    return 0;
  }
  io.out(
    `System Configuration:  illumos-sim  i86pc\nMemory size: ${mb} Megabytes\nSystem Peripherals (Software Nodes):\n\ni86pc\n    scsi_vhci, instance #0\n    pci, instance #0\n`,
  );
  return 0;
};

/**
 * @apiary/illumos-sim: a simulated OmniOS host. Programs named like the illumos tools keep one
 * host's state in a directory and answer with illumos's output, errors and exit codes.
 */
export const SIM_VERSION = '0.1.0';

export { resumeZoneDaemon, stopZoneDaemon } from './console/daemon-control.js';
export { type CommandLogEntry, readCommandLog } from './core/command-log.js';
export { addFault, clearFaults, type Fault, type FaultSpec, readFaults } from './core/faults.js';
export type { CommandResult } from './core/io.js';
export { type RunCommandInput, runCommand } from './core/run-command.js';
export { isInitialized, readState } from './core/state-store.js';
export type { HostState } from './core/state-types.js';
export type { GuestAccount } from './guest/guest-accounts.js';
export { guestHostname } from './guest/guest-api.js';
export { writeGuestOsRelease } from './guest/guest-disk.js';
export { binDir, PROGRAM_BINARIES } from './host/bin-dir.js';
export { HostExistsError, type InitOptions, initHost } from './host/init-host.js';
export { checkPublicAddress, setPublicAddress } from './host/public-address.js';
export { summarizeHost } from './host/show-host.js';
export { clearLoad, LoadError, setLoad } from './sys/load-api.js';
export type { LoadRates } from './sys/load-state.js';
export { readZvol, writeZvol, zvolPath } from './zfs/zvol-api.js';

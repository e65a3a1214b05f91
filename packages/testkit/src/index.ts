export { AgentDaemon, type AgentKeyRole, type AgentOptions } from './agent-daemon.js';
export { type Bootstrap, ControllerDaemon, type ControllerOptions } from './controller-daemon.js';
export { Daemon, type DaemonOptions } from './daemon.js';
export {
  CertificateFetch,
  certificateFile,
  certificateKeyFile,
  fingerprintOfFile,
} from './daemon-trust.js';
export { type AddAgentOptions, Fleet, type FleetDatabase, type FleetOptions } from './fleet.js';
export { freePort } from './free-port.js';
export {
  connectionRefused,
  type ExecResult,
  httpGet,
  newClientKey,
  sshExec,
} from './guest-clients.js';
export { hostFootprint } from './host-footprint.js';
export { loopbackAddress } from './loopback-address.js';
export { ManagedProcess, type OutputOptions } from './managed-process.js';
export { bins, repoRoot } from './paths.js';
export * from './postgres.js';
export * from './promtool.js';
export {
  type SampleImage,
  sampleImage,
  uploadSampleImage,
  writeSampleImage,
} from './sample-image.js';
export { sshKey } from './ssh-key.js';
export { vmAccessLine, watchVmAccess } from './vm-access.js';
export { GiveUpWaiting, waitFor } from './wait-for.js';

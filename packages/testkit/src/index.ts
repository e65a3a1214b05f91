export { type Bootstrap, Fleet, type FleetAgent, type FleetOptions } from './fleet.js';
export { freePort } from './free-port.js';
export { ManagedProcess } from './managed-process.js';
export { bins, repoRoot } from './paths.js';
export { waitFor } from './wait-for.js';

export { type Bootstrap, Fleet, type FleetAgent, type FleetOptions } from './fleet.js';
export { freePort } from './free-port.js';
export { hostFootprint } from './host-footprint.js';
export { ManagedProcess } from './managed-process.js';
export { bins, repoRoot } from './paths.js';
export * from './promtool.js';
export { sampleImageStream, writeSampleImage } from './sample-image.js';
export { waitFor } from './wait-for.js';

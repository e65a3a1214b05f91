/**
 * The controller as a library, for benchmarks and tools that drive its services in-process
 * (`scripts/bench/placement.mjs`). The program itself starts from `main.ts`.
 */

export { createLogger, newId } from '@apiary/server-kit';
export { defaultConfig } from './config.js';
export { createControllerCore } from './core.js';
export { openDatabase, parseDbTarget } from './db/database.js';
export { bootstrapIfEmpty } from './services/auth/bootstrap.js';
// The rows a create writes (placement.mjs writes its baseline through them).
export { insertEnvRows } from './services/envs/env-rows.js';
// What a live fleet writes to its hosts (placement.mjs --host-writes-per-s).
export { storeCredentials } from './services/hosts/host-credential.js';
export { recordUsage } from './services/hosts/host-usage.js';
export { persistTransitions } from './services/hosts/persist-liveness.js';
export { placeAndReserve } from './services/placement/place.js';
export { reserveOnHost } from './services/placement/reservations.js';

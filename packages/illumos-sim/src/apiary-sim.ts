import { SIM_VERSION } from './index.js';

console.log(`apiary-sim ${SIM_VERSION}: usage: apiary-sim init|bin-dir|fault|log|show DIR`);

import type { SagaStep as Step } from '@apiary/server-kit';
import type { VmContext } from './vm-context.js';

/**
 * One step of a VM saga. `run` and `undo` must both be idempotent: after a crash either may be
 * repeated, in part or in full, and the host must end in the same state.
 */
export type SagaStep = Step<VmContext>;

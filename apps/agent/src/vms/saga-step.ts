import type { VmContext } from './vm-context.js';

/**
 * One step of a VM saga. `run` and `undo` must both be idempotent: after a crash either may be
 * repeated, in part or in full, and the host must end in the same state.
 */
export interface SagaStep {
  name: string;
  /** Skip this step for this VM (e.g. egress rules without deny_outgoing). */
  when?(ctx: VmContext): boolean;
  run(ctx: VmContext): Promise<void>;
  undo(ctx: VmContext): Promise<void>;
}

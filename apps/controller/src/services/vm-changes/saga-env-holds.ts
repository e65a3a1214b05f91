import { ApiError, sleep } from '@apiary/protocol';
import type { Ctx } from '../../context.js';
import { type EnvHold, holdEnv } from '../envs/env-lock.js';
import type { SagaRun } from '../sagas/saga-engine.js';
import type { ChangeInput } from './change-input.js';

/*
 * A VM change and an environment saga (stop, start, delete) never act on one VM at once: the
 * change holds its environment's lease (`env:<id>`) for as long as it runs here, the same lease
 * `runOnEnv` takes. A change waits for an environment saga that holds the lease (it is accepted
 * only while the environment is settled, so that one is finishing), then checks the VM again;
 * an environment saga asked for meanwhile finds the lease taken and is resumed by the change's
 * end (see change-kinds.ts) or the reaper once the change gave it back. After a crash the
 * adopting controller takes the lease again before its next agent call.
 */
export class SagaEnvHolds {
  private readonly held = new Map<string, EnvHold>();

  constructor(private readonly ctx: Ctx) {}

  /** The environment's lease for this saga; waits while another saga holds it. */
  async take(run: SagaRun<ChangeInput>): Promise<EnvHold> {
    const have = this.held.get(run.id);
    if (have && !have.signal.aborted) return have;
    const deadline = this.ctx.clock.now() + this.ctx.config.operationTimeoutMs;
    for (;;) {
      const hold = await holdEnv(this.ctx, run.input.envId);
      if (hold) {
        this.held.set(run.id, hold);
        run.signal.addEventListener('abort', () => void this.release(run.id), { once: true });
        return hold;
      }
      if (this.ctx.clock.now() > deadline) {
        throw new ApiError('conflict', 'the environment stayed busy with another operation');
      }
      await sleep(250, run.signal);
      if (run.signal.aborted) throw run.signal.reason;
    }
  }

  async release(sagaId: string): Promise<void> {
    const hold = this.held.get(sagaId);
    this.held.delete(sagaId);
    await hold?.release();
  }
}

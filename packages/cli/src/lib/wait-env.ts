import {
  ApiError,
  type ControllerClient,
  ENV_ACTIONS,
  ENV_CREATE_ENDS,
  type Env,
  type EnvState,
} from '@apiary/protocol';
import { SingleBar } from 'cli-progress';
import type { Output } from './output.js';
import { sleep } from './wait.js';

/**
 * States in which an environment stops changing by itself, per operation: where the shared
 * rules say each one ends (a stop that fails on some VMs ends `degraded`). A create also ends
 * when someone else deletes the environment meanwhile.
 */
export const SETTLED: Record<'create' | 'start' | 'stop' | 'delete', readonly EnvState[]> = {
  create: [...ENV_CREATE_ENDS, 'deleted'],
  start: ENV_ACTIONS.start.ends,
  stop: ENV_ACTIONS.stop.ends,
  delete: ENV_ACTIONS.delete.ends,
};

const DONE_VM_STATES: Record<keyof typeof SETTLED, string[]> = {
  create: ['running'],
  start: ['running'],
  stop: ['stopped'],
  delete: ['deleted'],
};

/**
 * Polls until the environment settles, drawing a progress bar of VMs done on a terminal (plain
 * lines otherwise). A 404 while deleting means the environment is gone: that is success.
 */
export async function waitForEnv(
  client: ControllerClient,
  id: string,
  op: keyof typeof SETTLED,
  out: Output,
  /** `org`: the environment's organization (names are unique per organization only). */
  options: { intervalMs?: number; timeoutMs?: number; org?: string } = {},
): Promise<Env | null> {
  const deadline = Date.now() + (options.timeoutMs ?? 30 * 60_000);
  const tty = (out.stderr as NodeJS.WriteStream).isTTY === true && !out.json;
  const bar = tty
    ? new SingleBar({
        format: `${op} ${id} [{bar}] {value}/{total} VMs {state}`,
        stream: out.stderr as NodeJS.WriteStream,
        hideCursor: true,
        clearOnComplete: false,
      })
    : null;
  let lastLine = '';
  try {
    for (;;) {
      let env: Env;
      try {
        env = await client.getEnv({
          params: { id },
          query: options.org ? { org: options.org } : undefined,
        });
      } catch (error) {
        if (op === 'delete' && error instanceof ApiError && error.code === 'not_found') return null;
        throw error;
      }
      const done = env.vms.filter((v) => DONE_VM_STATES[op].includes(v.state)).length;
      if (bar) {
        if (!bar.isActive) bar.start(env.vms.length, done, { state: env.state });
        bar.update(done, { state: env.state });
      } else {
        const line = `${id}: ${env.state}, ${done}/${env.vms.length} VMs`;
        if (line !== lastLine) out.info(line);
        lastLine = line;
      }
      if (SETTLED[op].includes(env.state)) return env;
      if (Date.now() > deadline) throw new Error(`gave up waiting for ${id} (still ${env.state})`);
      await sleep(options.intervalMs ?? 500);
    }
  } finally {
    bar?.stop();
  }
}

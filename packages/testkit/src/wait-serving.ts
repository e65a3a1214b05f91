import type { ManagedProcess } from './managed-process.js';
import { GiveUpWaiting, waitFor } from './wait-for.js';

/**
 * Resolves when `process` answers its public health route with 200 (and `ready`, when given,
 * holds); fails at once, with the end of its output, if the process exits first. Readiness is
 * asked over HTTP, not read from log lines, so it does not depend on how the daemons log.
 */
export async function waitUntilServing(
  process: ManagedProcess,
  healthUrl: string,
  options: { timeoutMs: number; ready?: () => boolean; fetch?: (url: string) => Promise<Response> },
): Promise<void> {
  await waitFor(
    async () => {
      if (!process.running) {
        const code = await process.exited;
        throw new GiveUpWaiting(
          `${process.name} exited (${code}) before it answered ${healthUrl}\n${process.describeOutput()}`,
        );
      }
      const res = await (options.fetch ?? fetch)(healthUrl);
      await res.arrayBuffer(); // frees the connection
      return res.ok && (options.ready?.() ?? true);
    },
    { what: `${process.name} to answer ${healthUrl}`, timeoutMs: options.timeoutMs },
  );
}

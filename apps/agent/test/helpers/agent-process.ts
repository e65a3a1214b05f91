import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { once } from 'node:events';
import { createServer } from 'node:net';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createAgentClient } from '@apiary/protocol';
import { onCleanup } from './temp.js';

/** The built agent program (`pnpm build` runs before tests). */
export const AGENT_MAIN = join(
  dirname(fileURLToPath(import.meta.url)),
  '..',
  '..',
  'dist',
  'main.js',
);

export async function freePort(): Promise<number> {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as { port: number };
  server.close();
  return port;
}

/** `apiary-agent keys create`: a key minted on the host, printed once. */
export function mintKey(dataDir: string, role = 'admin'): string {
  const out = execFileSync(
    process.execPath,
    [AGENT_MAIN, 'keys', 'create', '--data-dir', dataDir, '--role', role],
    {
      encoding: 'utf8',
    },
  );
  return out.split('\n')[0] as string;
}

/** Start `apiary-agent` as a real process and wait until it listens. */
export async function startAgentProcess(args: string[], port: number) {
  const child: ChildProcess = spawn(
    process.execPath,
    [AGENT_MAIN, '--listen', `127.0.0.1:${port}`, ...args],
    // Its own process group: `killGroup` can take the host commands it started down with it.
    { stdio: ['ignore', 'pipe', 'pipe'], detached: true },
  );
  // A test that fails before it stops its agent must not leave the process running.
  onCleanup(async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    child.kill('SIGKILL');
    await once(child, 'exit');
  });
  let output = '';
  child.stdout?.on('data', (d) => {
    output += d;
  });
  child.stderr?.on('data', (d) => {
    output += d;
  });
  // Start-up reconciles with the host first: on a loaded machine each command may take seconds.
  const deadline = Date.now() + 90_000;
  while (!output.includes('"msg":"listening"')) {
    if (child.exitCode !== null) throw new Error(`agent exited: ${output}`);
    if (Date.now() > deadline) throw new Error(`agent did not start: ${output}`);
    await new Promise((r) => setTimeout(r, 50));
  }
  return {
    child,
    output: () => output,
    /** kill -9: no cleanup, no deregistration, nothing flushed by the agent itself. */
    async kill9() {
      child.kill('SIGKILL');
      if (child.exitCode === null && child.signalCode === null) await once(child, 'exit');
    },
    /**
     * kill -9 of the agent and of the host commands it was waiting on, as SMF does to a
     * service's contract before restarting it: the interrupted command never finishes.
     * (Daemons that detach, like the simulator's zoneadmd, are in a group of their own.)
     */
    async killGroup() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = once(child, 'exit');
      process.kill(-(child.pid as number), 'SIGKILL');
      await exited;
    },
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      await once(child, 'exit');
    },
  };
}

export function clientFor(port: number, key: string) {
  return createAgentClient({ baseUrl: `http://127.0.0.1:${port}`, token: key, retries: 0 });
}

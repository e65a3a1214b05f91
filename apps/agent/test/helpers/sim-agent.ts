import { join } from 'node:path';
import { binDir, type InitOptions, initHost, readCommandLog } from '@apiary/illumos-sim';
import { createAgentClient } from '@apiary/protocol';
import { createLogger, silentLogger } from '@apiary/server-kit';
import { type AgentOptions, buildAgent } from '../../src/agent.js';
import { createApiKey } from '../../src/auth/api-keys.js';
import { parseConfig } from '../../src/config.js';
import { onCleanup, tempDir } from './temp.js';

export interface SimAgentOptions {
  init?: InitOptions;
  agent?: AgentOptions;
  flags?: string[];
  /** Reuse an existing simulated host (restart tests). */
  simRoot?: string;
  dataDir?: string;
}

/**
 * The real agent on a fresh simulated OmniOS host, called in-process through the typed
 * protocol client: what these tests exercise is the agent's own code, end to end.
 */
export async function simAgent(options: SimAgentOptions = {}) {
  const dir = tempDir('sim');
  const simRoot = options.simRoot ?? join(dir, 'host');
  if (!options.simRoot) initHost(simRoot, options.init ?? {});
  const dataDir = options.dataDir ?? join(dir, 'data');
  // The simulated bhyve fails before `zoneadm boot` returns: a long boot settle buys nothing here.
  const config = parseConfig(
    ['--data-dir', dataDir, '--sim', simRoot, '--boot-settle-ms', '50', ...(options.flags ?? [])],
    {},
    binDir,
  );
  // APIARY_TEST_LOG=1 shows the agent's log lines while debugging a test.
  const log = process.env.APIARY_TEST_LOG
    ? createLogger({ level: 'debug', destination: process.stderr })
    : silentLogger();
  // Background loops and usage samples run when a test asks (`agent.tick()`, `agent.stats.sample()`),
  // so they never add host commands to a log a test is counting.
  const agent = buildAgent(config, {
    log,
    backgroundIntervalMs: 3_600_000,
    statsIntervalMs: 3_600_000,
    ...options.agent,
  });
  onCleanup(() => agent.stop());
  await agent.start();
  agent.connect();
  const key = createApiKey(agent.db, { name: 'test', role: 'admin' }).key;
  const fetchImpl = ((input: string | URL | Request, init?: RequestInit) =>
    agent.app.fetch(new Request(input, init))) as typeof fetch;
  const api = createAgentClient({
    baseUrl: 'http://agent.test',
    token: key,
    fetch: fetchImpl,
    retries: 0,
  });
  return {
    agent,
    api,
    key,
    config,
    simRoot,
    dataDir,
    fetch: fetchImpl,
    /** Commands the simulated host has run so far. */
    commands: () => readCommandLog(simRoot),
    /** Wait until every accepted operation has finished. */
    settle: () => agent.runner.idle(),
  };
}

export type SimAgent = Awaited<ReturnType<typeof simAgent>>;

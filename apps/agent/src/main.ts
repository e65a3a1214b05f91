import { mkdirSync } from 'node:fs';
import { createLogger, splitHostPort } from '@apiary/server-kit';
import { serve } from '@hono/node-server';
import { buildAgent } from './agent.js';
import { runKeysCommand } from './cli/keys-command.js';
import { prepareSimHost, simBinDir } from './cli/sim-host.js';
import { ConfigError, parseConfig } from './config.js';

async function main(argv: string[]): Promise<void> {
  // A log reader that went away (closed pipe) must not take the agent down with it.
  process.stdout.on('error', () => {});
  if (argv[0] === 'keys') {
    runKeysCommand(argv.slice(1), (line) => process.stdout.write(line));
    return;
  }
  const config = parseConfig(argv, process.env, simBinDir);
  mkdirSync(config.dataDir, { recursive: true, mode: 0o700 });
  if (config.simDir) prepareSimHost(config.simDir);
  const log = createLogger({ level: config.logLevel, format: config.logFormat });
  const agent = buildAgent(config, { log });
  // Reconcile with the host (adopt, resume, clean up) before taking any request.
  await agent.start();
  const [host, port] = splitHostPort(config.listen);
  const server = serve({ fetch: agent.app.fetch, hostname: host, port }, (info) => {
    log.info({ addr: `${info.address}:${info.port}`, host_id: agent.deps.hostId }, 'listening');
    // Register with the controller only once it can reach us.
    agent.connect(info.port);
  });
  server.on('upgrade', agent.upgrade);
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info({ signal }, 'stopping');
    // Operations are durable: whatever is running resumes at the next start.
    void agent.stop().finally(() => {
      server.close();
      process.exit(0);
    });
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
}

main(process.argv.slice(2)).catch((error) => {
  if (error instanceof ConfigError) {
    process.stderr.write(`apiary-agent: ${error.message}\n`);
    process.exit(2);
  }
  process.stderr.write(`apiary-agent: ${(error as Error)?.stack ?? String(error)}\n`);
  process.exit(1);
});

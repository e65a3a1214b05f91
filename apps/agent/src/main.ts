import { mkdirSync } from 'node:fs';
import {
  certificateNames,
  createLogger,
  planServing,
  prepareServingCertificate,
  ServingPlanError,
  serveDaemon,
  splitHostPort,
} from '@apiary/server-kit';
import { buildAgent } from './agent.js';
import { runInfoCommand } from './cli/info-command.js';
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
  if (argv[0] === 'info') {
    runInfoCommand(argv.slice(1), process.env, (line) => process.stdout.write(line));
    return;
  }
  const config = parseConfig(argv, process.env, simBinDir);
  const [host, port] = splitHostPort(config.listen);
  const plan = planServing(host, config.dataDir, config);
  mkdirSync(config.dataDir, { recursive: true, mode: 0o700 });
  if (config.simDir) prepareSimHost(config.simDir);
  const log = createLogger({ level: config.logLevel, format: config.logFormat });
  const certificate = await prepareServingCertificate(plan, config.dataDir, {
    commonName: 'apiary-agent',
    names: certificateNames([host, config.publicAddr]),
  });
  if (certificate?.created) {
    // Printed once, at the start that made it; `apiary-agent info` shows it any time.
    process.stdout.write(
      `\nApiary agent: made a self-signed certificate (${certificate.certFile})\n` +
        `  fingerprint: ${certificate.fingerprint}\n\n`,
    );
  }
  let served: ReturnType<typeof serveDaemon> | null = null;
  const agent = buildAgent(config, {
    log,
    scheme: plan.scheme,
    tlsFingerprint: () => served?.fingerprint() ?? null,
  });
  // Reconcile with the host (adopt, resume, clean up) before taking any request.
  await agent.start();
  served = serveDaemon({
    fetch: agent.app.fetch,
    hostname: host,
    port,
    tls: certificate,
    log,
    onListening: (info) => {
      log.info(
        {
          addr: `${info.address}:${info.port}`,
          scheme: plan.scheme,
          fingerprint: certificate?.fingerprint ?? null,
          host_id: agent.deps.hostId,
        },
        'listening',
      );
      // Register with the controller only once it can reach us.
      agent.connect(info.port);
    },
  });
  const { server } = served;
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
  if (error instanceof ConfigError || error instanceof ServingPlanError) {
    process.stderr.write(`apiary-agent: ${error.message}\n`);
    process.exit(2);
  }
  process.stderr.write(`apiary-agent: ${(error as Error)?.stack ?? String(error)}\n`);
  process.exit(1);
});

import {
  certificateNames,
  createLogger,
  describeServing,
  planServing,
  prepareServingCertificate,
  ServingPlanError,
  serveDaemon,
  splitHostPort,
} from '@apiary/server-kit';
import { runDbCopy } from './cli/db-copy-command.js';
import { runMigrate } from './cli/migrate-command.js';
import { ConfigError, parseConfig } from './config.js';
import { createControllerCore } from './core.js';
import { configuredDbTarget, openConfiguredDatabase } from './db/configured-db.js';
import { describeDbTarget } from './db/database.js';
import { prepareDataDir } from './lib/data-dir.js';
import { bootstrapIfEmpty } from './services/auth/bootstrap.js';
import type { BlobStore } from './services/images/blob-store.js';
import { BlobStoreConfigError, openBlobStore } from './services/images/open-blob-store.js';

async function main() {
  const argv = process.argv.slice(2);
  if (argv[0] === 'db' && argv[1] === 'copy') {
    process.exitCode = await runDbCopy(argv.slice(2));
    return;
  }
  if (argv[0] === 'migrate') {
    // Like the daemon: whatever it creates (a SQLite file, its data dir) is this user's only.
    process.umask(0o077);
    process.exitCode = await runMigrate(argv.slice(1), process.env);
    return;
  }
  const info = argv[0] === 'info';
  let config: ReturnType<typeof parseConfig>;
  let plan: ReturnType<typeof planServing>;
  let blobs: BlobStore;
  try {
    config = parseConfig(info ? argv.slice(1) : argv, process.env);
    plan = planServing(splitHostPort(config.listen)[0], config.dataDir, config);
    // Here, so missing S3 credentials are a usage error rather than a crash at start.
    blobs = openBlobStore(config);
  } catch (error) {
    if (
      error instanceof ConfigError ||
      error instanceof ServingPlanError ||
      error instanceof BlobStoreConfigError
    ) {
      process.stderr.write(`apiary-controller: ${error.message}\n`);
      process.exit(2);
    }
    throw error;
  }
  if (info) {
    // `apiary-controller info [the daemon's flags]`: what it serves, without starting it. The
    // fingerprint is what agents pin (--controller-fingerprint) and the CLI can trust.
    const lines = [
      `data dir     ${config.dataDir}`,
      `blob store   ${blobs.location}`,
      ...describeServing(plan, config.listen),
    ];
    process.stdout.write(`${lines.join('\n')}\n`);
    return;
  }
  const log = createLogger({ level: config.logLevel, format: config.logFormat });
  // Everything the controller writes (database, keys, images) is for its own user only.
  process.umask(0o077);
  prepareDataDir(config.dataDir);
  const target = configuredDbTarget(config);
  // The same locked routine as `apiary-controller migrate`: controllers starting together, or
  // beside a migrate run, apply each migration once.
  const database = await openConfiguredDatabase(target, config);
  log.info(
    {
      db: describeDbTarget(target),
      migrations_applied: database.migrations.applied,
      schema: database.migrations.current,
    },
    'database open',
  );
  log.info({ store: blobs.location }, 'image blob store');
  const core = await createControllerCore({ config, database, log, blobs });

  const bootstrap = await bootstrapIfEmpty(core.ctx, config.dataDir);
  if (bootstrap) {
    // The path only: stdout and the log end up in the service log, secrets must not.
    log.info(
      { file: bootstrap.file },
      'first start: the admin password, admin API key and license key are in this file (readable by this user only)',
    );
  }

  const [hostname, port] = splitHostPort(config.listen);
  const certificate = await prepareServingCertificate(plan, config.dataDir, {
    commonName: 'apiary-controller',
    names: certificateNames([hostname]),
  });
  if (certificate?.created) {
    // Once, at the start that made it; `apiary-controller info` shows it any time.
    process.stdout.write(
      `\nApiary controller: made a self-signed certificate (${certificate.certFile})\n` +
        `  fingerprint: ${certificate.fingerprint}\n` +
        `  agents: --controller https://... --controller-fingerprint ${certificate.fingerprint}\n` +
        `  CLI:    APIARY_CA=${certificate.certFile}\n\n`,
    );
  }
  const { server } = serveDaemon({
    fetch: core.app.fetch,
    fastLane: core.fastLane,
    hostname,
    port,
    tls: certificate,
    log,
    onListening: (info) => {
      log.info(
        {
          addr: `${info.address}:${info.port}`,
          port: info.port,
          scheme: plan.scheme,
          fingerprint: certificate?.fingerprint ?? null,
        },
        'listening',
      );
    },
  });
  // Console websockets are answered on the Node server's upgrade event (see console-upgrade.ts).
  server.on('upgrade', core.handleUpgrade);
  core.start();

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info({ signal }, 'shutting down');
    // Order: stop accepting, finish background work to a safe point, close the database.
    server.close();
    if ('closeIdleConnections' in server)
      (server as { closeIdleConnections(): void }).closeIdleConnections();
    await core.stop();
    await database.close();
    log.info('stopped');
    process.exit(0);
  };
  process.on('SIGINT', () => void stop('SIGINT'));
  process.on('SIGTERM', () => void stop('SIGTERM'));
}

void main();

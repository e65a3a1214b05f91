// The built controller (apps/controller/bin/apiary-controller.js) as its own process, the way
// every benchmark that measures it over HTTP runs it: plain HTTP on 127.0.0.1 and a port the
// kernel picks (read back from its `listening` log line), on a data dir and a database of the
// benchmark's choosing. Run `pnpm build` first.
import { copyFileSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startNodeProcess } from './node-process.mjs';

const CONTROLLER_BIN = fileURLToPath(
  new URL('../../../apps/controller/bin/apiary-controller.js', import.meta.url),
);

/** The controller's info line once its server listens (pino JSON: `port` comes before `msg`). */
const LISTENING = /"port":(\d+)[^\n]*"msg":"listening"/;

/** What the controller wrote in `dataDir` when it bootstrapped (admin key, license key, ...). */
export function readBootstrap(dataDir) {
  return JSON.parse(readFileSync(join(dataDir, 'bootstrap.json'), 'utf8'));
}

/**
 * Starts a controller and resolves once it listens.
 *
 * @param {object} [options]
 * @param {string} [options.dataDir] its data dir, kept on stop (the benchmark may have seeded
 *   it, or start another controller on it); without one, a fresh temporary dir that `stop()`
 *   removes
 * @param {string} [options.db] its `--db` target (`sqlite:FILE`, a PostgreSQL URL); without
 *   one, the controller's default (SQLite in the data dir)
 * @param {string} [options.secretKeyFrom] the data dir of a controller whose secret key this
 *   one shares: controllers on one database must (tokens, sealed secrets)
 * @param {string[]} [options.flags] more controller flags (`--restart-grace-ms`, ...)
 * @param {Record<string, string>} [options.env] variables added to its environment
 * @param {string} [options.cpuProfDir] write a V8 CPU profile of it here when it exits
 * @param {boolean} [options.keepOutput] keep its stdout (JSON log lines) for `output()`
 * @returns {Promise<{ child: import('node:child_process').ChildProcess, port: number,
 *   url: string, dataDir: string, bootstrap: () => object, output: () => string,
 *   stop: () => Promise<void> }>}
 */
export async function startControllerProcess({
  dataDir,
  db,
  secretKeyFrom,
  flags = [],
  env,
  cpuProfDir,
  keepOutput = false,
} = {}) {
  const ownsDataDir = dataDir === undefined;
  const dir = dataDir ?? mkdtempSync(join(tmpdir(), 'apiary-bench-controller-'));
  const removeOwnDir = () => {
    if (ownsDataDir) rmSync(dir, { recursive: true, force: true });
  };
  try {
    if (secretKeyFrom) copyFileSync(join(secretKeyFrom, 'secret.key'), join(dir, 'secret.key'));
    const started = await startNodeProcess(
      [
        ...(cpuProfDir ? ['--cpu-prof', '--cpu-prof-dir', cpuProfDir] : []),
        CONTROLLER_BIN,
        ...['--listen', '127.0.0.1:0', '--data-dir', dir],
        ...(db ? ['--db', db] : []),
        ...flags,
      ],
      LISTENING,
      { env, keepOutput },
    );
    const port = Number(started.match[1]);
    return {
      child: started.child,
      port,
      url: `http://127.0.0.1:${port}`,
      dataDir: dir,
      bootstrap: () => readBootstrap(dir),
      output: started.output,
      stop: async () => {
        await started.stop();
        removeOwnDir();
      },
    };
  } catch (error) {
    removeOwnDir();
    throw error;
  }
}

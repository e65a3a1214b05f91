import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';

/*
 * SQLite's WAL checkpoints, off the event loop. In WAL mode every commit appends pages to the
 * WAL file, and the committing connection copies them back into the database file (a
 * checkpoint, with its fsyncs) once the WAL holds `wal_autocheckpoint` pages: with the default
 * of 1,000 that is every few hundred placements, and better-sqlite3 runs it synchronously on the
 * controller's one thread, stalling every request for the length of two fsyncs. Here a worker
 * thread with a connection of its own runs a PASSIVE checkpoint every `intervalMs` instead:
 * it copies what is committed without taking any lock a writer needs, on the other core. The
 * main connection keeps a far larger `wal_autocheckpoint` as a backstop (a worker can only
 * restart the WAL from its beginning at a moment the writer is idle; under writes that never
 * pause, the backstop checkpoint does, and finds most pages already copied).
 *
 * The worker's code is a string (`eval`): it must run the same from the TypeScript sources under
 * the tests and from the bundle, and it is a dozen lines of plain JavaScript.
 */

/** Pages the WAL may hold before the committing connection checkpoints it itself. */
export const BACKSTOP_WAL_PAGES = 10_000;

const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.driver);
const db = new Database(workerData.file, { fileMustExist: true });
// Each is said only when it changed: an idle database costs the main thread nothing, and a
// failing checkpoint is reported once, not ten times a second.
let last = { log: -1, checkpointed: -1 };
let lastError = null;
const timer = setInterval(() => {
  try {
    const [r] = db.pragma('wal_checkpoint(PASSIVE)');
    lastError = null;
    if (r.log !== last.log || r.checkpointed !== last.checkpointed) {
      last = r;
      parentPort.postMessage({ log: r.log, checkpointed: r.checkpointed });
    }
  } catch (error) {
    const message = String(error && error.message);
    if (message !== lastError) parentPort.postMessage({ error: message });
    lastError = message;
  }
}, workerData.intervalMs);
parentPort.on('message', () => {
  clearInterval(timer);
  db.close();
  parentPort.close();
});
`;

export interface CheckpointProgress {
  /** Pages in the WAL at the worker's last checkpoint, and how many of them it had copied. */
  log: number;
  checkpointed: number;
  /** Checkpoints that copied something, since start. */
  runs: number;
}

export interface Checkpointer {
  progress(): CheckpointProgress;
  /** Stops the worker and closes its connection; resolves once its thread has exited. */
  stop(): Promise<void>;
}

export function startCheckpointer(
  file: string,
  options: { intervalMs?: number; onError?: (message: string) => void } = {},
): Checkpointer {
  const worker = new Worker(WORKER_SOURCE, {
    eval: true,
    workerData: {
      file,
      driver: createRequire(import.meta.url).resolve('better-sqlite3'),
      intervalMs: options.intervalMs ?? 100,
    },
  });
  const exited = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
  // Nothing waits on a checkpoint: the worker must not keep the process alive by itself.
  worker.unref();
  const progress: CheckpointProgress = { log: 0, checkpointed: 0, runs: 0 };
  worker.on('message', (m: { log?: number; checkpointed?: number; error?: string }) => {
    if (m.error !== undefined) {
      options.onError?.(m.error);
      return;
    }
    progress.log = m.log ?? 0;
    progress.checkpointed = m.checkpointed ?? 0;
    progress.runs++;
  });
  // A worker that failed to start (the file gone): the backstop keeps the WAL bounded.
  worker.on('error', (error) => options.onError?.(error.message));
  return {
    progress: () => ({ ...progress }),
    stop: async () => {
      worker.postMessage('stop');
      await exited;
    },
  };
}

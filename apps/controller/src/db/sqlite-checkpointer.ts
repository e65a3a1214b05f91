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
 * main connection keeps a far larger `wal_autocheckpoint` as a backstop: the WAL starts again
 * from its beginning only when a writer begins after a checkpoint that copied all of it, which
 * under writes that never pause the worker's checkpoints rarely finish in time for; the
 * backstop's checkpoint then does, and finds most pages already copied.
 *
 * The worker's code is a string (`eval`): it must run the same from the TypeScript sources under
 * the tests and from the bundle, and it is a dozen lines of plain JavaScript.
 */

/** Pages the WAL may hold before the committing connection checkpoints it itself. */
export const BACKSTOP_WAL_PAGES = 10_000;
/** SQLite's own `wal_autocheckpoint`, for when there is no worker. */
export const SQLITE_DEFAULT_WAL_PAGES = 1_000;

const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.driver);
let db;
try {
  db = new Database(workerData.file, { fileMustExist: true });
} catch (error) {
  // Said in words: an error thrown out of the worker reaches the main thread as a bare object.
  parentPort.postMessage({ fatal: String(error && error.message) });
  process.exit(1);
}
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

/** A worker that does not stop within this long is terminated (a controller stopping waits). */
const STOP_WAIT_MS = 5_000;

export interface CheckpointProgress {
  /** Pages in the WAL at the worker's last checkpoint, and how many of them it had copied. */
  log: number;
  checkpointed: number;
}

export interface Checkpointer {
  progress(): CheckpointProgress;
  /** Stops the worker and closes its connection; resolves once its thread has exited. */
  stop(): Promise<void>;
}

export interface CheckpointerOptions {
  intervalMs?: number;
  /** A checkpoint failed (each new error once). */
  onError?: (message: string) => void;
  /** The worker is gone without being stopped (it could not start, or it crashed). */
  onGone?: (reason: string) => void;
}

export function startCheckpointer(file: string, options: CheckpointerOptions = {}): Checkpointer {
  const worker = new Worker(WORKER_SOURCE, {
    eval: true,
    workerData: {
      file,
      driver: createRequire(import.meta.url).resolve('better-sqlite3'),
      intervalMs: options.intervalMs ?? 100,
    },
  });
  let stopping = false;
  let lastFailure = 'exited';
  const exited = new Promise<void>((resolve) =>
    worker.once('exit', (code) => {
      if (!stopping) options.onGone?.(`${lastFailure} (exit code ${code})`);
      resolve();
    }),
  );
  // Nothing waits on a checkpoint: the worker must not keep the process alive by itself...
  worker.unref();
  const progress: CheckpointProgress = { log: 0, checkpointed: 0 };
  worker.on(
    'message',
    (m: { log?: number; checkpointed?: number; error?: string; fatal?: string }) => {
      if (m.fatal !== undefined) {
        lastFailure = m.fatal;
        return;
      }
      if (m.error !== undefined) {
        options.onError?.(m.error);
        return;
      }
      progress.log = m.log ?? 0;
      progress.checkpointed = m.checkpointed ?? 0;
    },
  );
  worker.on('error', (error: unknown) => {
    lastFailure = String((error as { message?: unknown } | null)?.message ?? 'failed');
  });
  return {
    progress: () => ({ ...progress }),
    stop: async () => {
      stopping = true;
      // ...but stopping it must: an unreferenced thread lets the process exit in the middle of
      // this await, before whatever its caller does after closing the database.
      worker.ref();
      worker.postMessage('stop');
      const timer = setTimeout(() => void worker.terminate(), STOP_WAIT_MS);
      await exited;
      clearTimeout(timer);
    },
  };
}

import { type ChildProcess, execFileSync, spawn, spawnSync } from 'node:child_process';
import {
  accessSync,
  chownSync,
  constants,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  rmSync,
  statSync,
} from 'node:fs';
import { userInfo } from 'node:os';
import { delimiter, join } from 'node:path';
import { GiveUpWaiting, waitFor } from './wait-for.js';

/*
 * A private PostgreSQL cluster for tests and the dev fleet: initdb into a directory, a server
 * listening only on a Unix socket in that directory (no TCP port to collide with the machine's
 * own cluster). A throwaway one lives in a temp directory removed when stopped; a kept one (the
 * dev fleet's, `dir`) is made once and started again on its data at every later start. Debian's
 * server programs, never a cluster the machine already runs.
 */

export interface PostgresCluster {
  /** `postgres://...` for node-postgres, through the Unix socket. */
  url: string;
  /** The cluster's directory (data, socket, log). */
  dir: string;
  /** The postmaster's process id (benchmarks sum the CPU of its process tree). */
  pid: number | undefined;
  /** A URL for another database of this cluster, created if it does not exist yet. */
  database(name: string): string;
  stop(): Promise<void>;
}

export class PostgresUnavailable extends Error {}

/**
 * initdb and postgres: `APIARY_PG_BIN`, else the newest Debian `/usr/lib/postgresql/<v>/bin`,
 * else PATH. Throws `PostgresUnavailable` with what to install.
 */
export function postgresBin(): string {
  const dirs: string[] = [];
  if (process.env.APIARY_PG_BIN) dirs.push(process.env.APIARY_PG_BIN);
  try {
    const versions = readdirSync('/usr/lib/postgresql').filter((v) => /^\d+$/.test(v));
    versions.sort((a, b) => Number(b) - Number(a));
    for (const v of versions) dirs.push(join('/usr/lib/postgresql', v, 'bin'));
  } catch {
    // no Debian server packages here
  }
  dirs.push(...(process.env.PATH ?? '').split(delimiter).filter(Boolean));
  const found = dirs.find((dir) => {
    try {
      accessSync(join(dir, 'initdb'), constants.X_OK);
      accessSync(join(dir, 'postgres'), constants.X_OK);
      return true;
    } catch {
      return false;
    }
  });
  if (!found) {
    throw new PostgresUnavailable(
      "PostgreSQL's server programs (initdb, postgres) are missing: install Debian's postgresql package (npm test does when it can)",
    );
  }
  return found;
}

/**
 * The server refuses to run as root, so as root the cluster runs as the `postgres` system user
 * (Debian's package creates it) or `nobody`; otherwise as whoever runs the tests.
 */
function runAs(): { uid: number; gid: number } | undefined {
  if (userInfo().uid !== 0) return undefined;
  for (const name of ['postgres', 'nobody']) {
    try {
      const uid = Number(execFileSync('id', ['-u', name], { encoding: 'utf8' }).trim());
      const gid = Number(execFileSync('id', ['-g', name], { encoding: 'utf8' }).trim());
      if (uid > 0) return { uid, gid };
    } catch {
      // no such user
    }
  }
  throw new PostgresUnavailable(
    'running as root and no postgres or nobody user to run the server as',
  );
}

export interface StartPostgresOptions {
  /** Where a throwaway cluster's temp directory goes (default: the temp dir). */
  parent?: string;
  /**
   * A kept cluster in this directory: made (initdb) when it holds none, otherwise started on
   * the data it holds; `stop()` leaves it in place. The dev fleet keeps its database this way.
   */
  dir?: string;
  /** The server's own output to this process's stdout/stderr. */
  log?: boolean;
}

/** Starts a fresh throwaway cluster, or the kept one in `options.dir`. */
export async function startPostgres(options: StartPostgresOptions = {}): Promise<PostgresCluster> {
  const bin = postgresBin();
  const user = runAs();
  const kept = options.dir !== undefined;
  const dir =
    options.dir ?? mkdtempSync(join(options.parent ?? process.env.TMPDIR ?? '/tmp', 'pg-'));
  const data = join(dir, 'data');
  mkdirSync(data, { recursive: true, mode: 0o700 });
  if (user) {
    // The server user must reach its own directory, and the path to it.
    chownSync(dir, user.uid, user.gid);
    chownSync(data, user.uid, user.gid);
    grantTraverse(dir);
  }
  const asUser = user ? { uid: user.uid, gid: user.gid } : {};
  // initdb writes PG_VERSION last of all: a directory without it holds no usable cluster.
  if (!existsSync(join(data, 'PG_VERSION'))) {
    execFileSync(
      join(bin, 'initdb'),
      ['-D', data, '-U', 'apiary', '--auth=trust', '-E', 'UTF8', '--no-sync', '--no-instructions'],
      { ...asUser, stdio: ['ignore', 'ignore', 'pipe'], cwd: dir },
    );
  }
  const server: ChildProcess = spawn(
    join(bin, 'postgres'),
    [
      '-D',
      data,
      '-k',
      dir,
      '-c',
      'listen_addresses=',
      '-c',
      'fsync=off',
      '-c',
      'synchronous_commit=off',
      '-c',
      'full_page_writes=off',
      '-c',
      'max_connections=200',
    ],
    {
      ...asUser,
      stdio: ['ignore', options.log ? 'inherit' : 'ignore', options.log ? 'inherit' : 'pipe'],
      cwd: dir,
      // A kept cluster belongs to a long-running fleet: a terminal's Ctrl-C (sent to the whole
      // foreground process group) must not stop the database before the controllers on it.
      detached: kept,
    },
  );
  let stderr = '';
  server.stderr?.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString()).slice(-4000);
  });
  const exited = new Promise<number | null>((resolve) => server.once('exit', resolve));
  let gone = false;
  void exited.then(() => {
    gone = true;
  });
  // The socket appears before the server accepts sessions (it may still be starting up).
  await waitFor(
    () => {
      if (gone) throw new GiveUpWaiting(`postgres exited at start: ${stderr}`);
      const ready = spawnSync(join(bin, 'pg_isready'), ['-q', '-h', dir, '-U', 'apiary']);
      return ready.status === 0;
    },
    { what: 'postgres to accept connections', timeoutMs: 30_000, intervalMs: 50 },
  );
  const url = (database: string) =>
    `postgres://apiary@localhost/${database}?host=${encodeURIComponent(dir)}`;
  const created = new Set<string>(['postgres']);
  const psql = (sql: string) =>
    execFileSync(join(bin, 'psql'), ['-h', dir, '-U', 'apiary', '-d', 'postgres', '-Atqc', sql], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
    });
  return {
    url: url('postgres'),
    dir,
    pid: server.pid,
    database(name) {
      if (!/^[a-z_][a-z0-9_]{0,62}$/.test(name)) throw new Error(`bad database name ${name}`);
      if (!created.has(name)) {
        // A kept cluster may have it from an earlier start. The name was checked above.
        const exists = psql(`SELECT 1 FROM pg_database WHERE datname = '${name}'`).trim() === '1';
        if (!exists) psql(`CREATE DATABASE ${name}`);
        created.add(name);
      }
      return url(name);
    },
    async stop() {
      if (!gone) {
        // SIGTERM first: a "smart" shutdown lets sessions that are closing (a pool just ended)
        // finish, where a "fast" one would answer them "terminating connection due to
        // administrator command", an error nobody listens for any more. Then SIGINT ("fast",
        // open sessions are ended) for sessions left open, and SIGKILL as a last resort.
        server.kill('SIGTERM');
        const fast = setTimeout(() => server.kill('SIGINT'), 2_000);
        const kill = setTimeout(() => server.kill('SIGKILL'), 12_000);
        await exited;
        clearTimeout(fast);
        clearTimeout(kill);
      }
      if (!kept) rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Lets the server user walk from / to `dir` (a root-owned 0700 temp dir would stop it). */
function grantTraverse(dir: string): void {
  let current = dir;
  for (;;) {
    const parent = join(current, '..');
    if (parent === current) break;
    current = parent;
    try {
      const mode = statSync(current).mode;
      if ((mode & 0o001) === 0) execFileSync('chmod', ['o+x', current]);
    } catch {
      break;
    }
  }
}

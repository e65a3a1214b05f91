import { type ChildProcess, execFileSync, spawn, spawnSync } from 'node:child_process';
import {
  accessSync,
  chownSync,
  constants,
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
 * A throwaway PostgreSQL cluster for tests and the dev fleet: initdb into a temp directory, a
 * server listening only on a Unix socket in that directory (no TCP port to collide with the
 * machine's own cluster), removed when stopped. Debian's server programs, never a cluster the
 * machine already runs.
 */

export interface PostgresCluster {
  /** `postgres://...` for node-postgres, through the Unix socket. */
  url: string;
  /** The cluster's directory (data, socket, log). */
  dir: string;
  /** A URL for another database of this cluster, created on first use. */
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

/** Starts a fresh cluster. `parent` is where its directory goes (default: the temp dir). */
export async function startPostgres(
  options: { parent?: string; log?: boolean } = {},
): Promise<PostgresCluster> {
  const bin = postgresBin();
  const user = runAs();
  const dir = mkdtempSync(join(options.parent ?? process.env.TMPDIR ?? '/tmp', 'pg-'));
  const data = join(dir, 'data');
  mkdirSync(data, { mode: 0o700 });
  if (user) {
    // The server user must reach its own directory, and the path to it.
    chownSync(dir, user.uid, user.gid);
    chownSync(data, user.uid, user.gid);
    grantTraverse(dir);
  }
  const asUser = user ? { uid: user.uid, gid: user.gid } : {};
  execFileSync(
    join(bin, 'initdb'),
    ['-D', data, '-U', 'apiary', '--auth=trust', '-E', 'UTF8', '--no-sync', '--no-instructions'],
    { ...asUser, stdio: ['ignore', 'ignore', 'pipe'], cwd: dir },
  );
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
  return {
    url: url('postgres'),
    dir,
    database(name) {
      if (!/^[a-z_][a-z0-9_]{0,62}$/.test(name)) throw new Error(`bad database name ${name}`);
      if (!created.has(name)) {
        execFileSync(
          join(bin, 'psql'),
          ['-h', dir, '-U', 'apiary', '-d', 'postgres', '-qc', `CREATE DATABASE ${name}`],
          { stdio: ['ignore', 'ignore', 'pipe'] },
        );
        created.add(name);
      }
      return url(name);
    },
    async stop() {
      if (!gone) {
        // SIGINT: "fast" shutdown, open sessions are ended.
        server.kill('SIGINT');
        const timer = setTimeout(() => server.kill('SIGKILL'), 10_000);
        await exited;
        clearTimeout(timer);
      }
      rmSync(dir, { recursive: true, force: true });
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
